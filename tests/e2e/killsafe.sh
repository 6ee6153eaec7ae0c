#!/bin/sh
# A killed archive update changes nothing (issue 13, row c, rule 2): 20 runs
# of rrdTransfer killed at random instants (SIGKILL and SIGTERM) while it
# creates databases, feeds existing ones in place, or rebuilds them, then run
# again, leave every database byte for byte equal (`rrdtool dump`) to a run
# that was never killed; so do restoreRRD restores and backups killed at
# random; a killed rrdGraph --totals writes no database.
. "$(dirname "$0")/lib.sh"

D="2026-11-20"
T0=$(date -u -d "$D 00:00:00" +%s)
iso() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }

# The base: 12 clients on m1 and m2 for 3 days, 2 sources on m1; fed for the
# first 2 days (so that the third day is fed in place), and one backup.
B=$(newroot)
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
    c=c$(printf %02d $i)
    for m in m1 m2; do mksnap -s "$D 0$((i % 9)):00:00/$D 0$((i % 9)):20:00" "$B/stats" $c tx $m "$D 00:00:00" 72; done
done
for s in s1 s2; do mksnap "$B/stats" $s rx m1 "$D 00:00:00" 72; done
E2=$(iso $((T0 + 48 * 3600))); E3=$(iso $((T0 + 72 * 3600)))
feed() {   # root end [options]: the run under test (tx, the merged group)
    r=$1 e=$2; shift 2
    rrdTransfer --root "$r" -m m1,m2 -e "$e" "$@"
}
feed "$B" "$E2" >/dev/null 2>&1
rrdTransfer --root "$B" -f rx -m m1 -e "$E2" >/dev/null 2>&1
PXS_NOW="$(iso $((T0 + 48 * 3600 + 600)))" restoreRRD --root "$B" --backup >/dev/null 2>&1
BACKUP=$(restoreRRD --root "$B" --list | tail -n 1)
check "the base archive is fed and backed up ($BACKUP)" test -n "$BACKUP"

# same_archive A B: every database of A equals B's, rrdtool dump for rrdtool
# dump (a file whose bytes are equal needs no dump; librrd starts each archive
# of a new file at a random row of its ring, so two files made apart differ in
# bytes, never in what they hold).
cat > "$TMPROOT/same.py" <<'PY'
import hashlib, os, subprocess, sys
a, b = sys.argv[1], sys.argv[2]
def files(r):
    out = []
    for d, _, fs in os.walk(os.path.join(r, "stats", "databases")):
        out += [os.path.relpath(os.path.join(d, f), r) for f in fs]
    return sorted(out)
fa, fb = files(a), files(b)
if fa != fb:
    print("# different sets of databases:", sorted(set(fa) ^ set(fb))[:3]); sys.exit(1)
for f in fa:
    pa, pb = os.path.join(a, f), os.path.join(b, f)
    if open(pa, "rb").read() == open(pb, "rb").read():
        continue
    da, db = (subprocess.run(["rrdtool", "dump", p], capture_output=True, check=True).stdout for p in (pa, pb))
    if da != db:
        print("# %s differs" % f); sys.exit(1)
PY
same_archive() { python3 "$TMPROOT/same.py" "$1" "$2"; }
# Three kinds of work, each with its clean result:
#   create  - a first feed of everything (databases created)
#   inplace - the third day into the existing databases
#   rebuild - a snapshot of day 1 changed: every c01 database set rebuilt
prepare() {   # kind dir
    rm -rf "$2"; mkdir -p "$2"; cp -a "$B/." "$2/"
    case $1 in
        create) rm -rf "$2/stats/databases" "$2/stats/DATABASE-UPDATES" ;;
        rebuild) mksnap -s "$D 10:00:00/$D 10:30:00" "$2/stats" c01 tx m2 "$D 10:00:00" 1 ;;
    esac
}
for k in create inplace rebuild; do
    prepare $k "$TMPROOT/clean.$k"
    t0=$(date +%s%N)
    feed "$TMPROOT/clean.$k" "$E3" --max-wait 0 >/dev/null 2>"$TMPROOT/clean.$k.err"
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000)) > "$TMPROOT/clean.$k.us"
done
check "the clean runs take some time to kill in (create $(cat "$TMPROOT/clean.create.us") us, in place $(cat "$TMPROOT/clean.inplace.us") us, rebuild $(cat "$TMPROOT/clean.rebuild.us") us)" \
    test "$(cat "$TMPROOT/clean.inplace.us")" -gt 0

# 20 kills: the delay is drawn within the clean run's duration.
same=0 killed=0 journals=0 i=0
while [ $i -lt 20 ]; do
    case $((i % 3)) in 0) k=create ;; 1) k=inplace ;; 2) k=rebuild ;; esac
    sig=KILL; [ $((i % 2)) -eq 1 ] && sig=TERM
    W=$TMPROOT/run
    prepare $k "$W"
    us=$(cat "$TMPROOT/clean.$k.us")
    delay=$(awk -v s=$((i * 7919 + 17)) -v us="$us" 'BEGIN { srand(s); printf "%.6f", rand() * us / 1e6 }')
    rrdTransfer --root "$W" -m m1,m2 -e "$E3" --max-wait 0 >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -"$sig" $pid 2>/dev/null
    wait $pid 2>/dev/null
    st=$?
    [ $st -eq 137 ] || [ $st -eq 143 ] && killed=$((killed + 1))
    [ -n "$(find "$W/stats/DATABASE-UPDATES" -name '.*.journal' 2>/dev/null)" ] && journals=$((journals + 1))
    feed "$W" "$E3" --max-wait 0 >/dev/null 2>&1
    if same_archive "$W" "$TMPROOT/clean.$k" &&
       [ -z "$(find "$W/stats/DATABASE-UPDATES" -name '.*.journal')" ]; then
        same=$((same + 1))
    else
        echo "# trial $i ($k, SIG$sig after $delay s) differs from the clean run"
    fi
    i=$((i + 1))
done
check "20 killed and rerun rrdTransfers equal the clean runs, rrdtool dump for rrdtool dump ($same of 20)" test $same -eq 20
check "the kills landed while rrdTransfer ran ($killed of 20), some inside a transaction ($journals left a journal)" \
    test $killed -ge 10

# restoreRRD: a restore killed at random and run again restores the same
# bytes as a restore that was not; a killed backup leaves no backup listed.
R=$TMPROOT/restore
prepare inplace "$TMPROOT/clean.restore"
feed "$TMPROOT/clean.restore" "$E3" >/dev/null 2>&1
cp -a "$TMPROOT/clean.restore" "$TMPROOT/base.restore"
PXS_NOW="$(iso $((T0 + 72 * 3600 + 600)))" restoreRRD --root "$TMPROOT/clean.restore" "$BACKUP" >/dev/null 2>&1
same=0 i=0
while [ $i -lt 6 ]; do
    rm -rf "$R"; cp -a "$TMPROOT/base.restore" "$R"
    sig=KILL; [ $((i % 2)) -eq 1 ] && sig=TERM
    PXS_NOW="$(iso $((T0 + 72 * 3600 + 600)))" restoreRRD --root "$R" "$BACKUP" >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v s=$i 'BEGIN { srand(s + 5); printf "%.4f", rand() * 0.15 }')"
    kill -"$sig" $pid 2>/dev/null
    wait $pid 2>/dev/null
    PXS_NOW="$(iso $((T0 + 72 * 3600 + 700)))" restoreRRD --root "$R" --wait "$BACKUP" >/dev/null 2>&1
    same_archive "$R" "$TMPROOT/clean.restore" && same=$((same + 1))
    i=$((i + 1))
done
check "6 killed and rerun restores equal a clean restore ($same of 6)" test $same -eq 6
# A backup killed at random: whatever is listed is whole (as many databases
# as the archive), and the next backup succeeds and removes the leftovers.
ndb=$(find "$TMPROOT/base.restore/stats/databases" -type f | wc -l)
whole=1 i=0
while [ $i -lt 4 ]; do
    rm -rf "$R"; cp -a "$TMPROOT/base.restore" "$R"
    PXS_NOW="$(iso $((T0 + 72 * 3600 + 900)))" restoreRRD --root "$R" --backup >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v s=$i 'BEGIN { srand(s + 11); printf "%.4f", rand() * 0.1 }')"
    kill -KILL $pid 2>/dev/null
    wait $pid 2>/dev/null
    for b in "$R"/stats/databases_backups/2*; do
        [ "$(find "$b/databases" -type f | wc -l)" -eq "$ndb" ] || whole=0
    done
    i=$((i + 1))
done
check "a killed backup is never listed half made" test $whole -eq 1
expect_status 0 "the next backup succeeds" env PXS_NOW="$(iso $((T0 + 72 * 3600 + 1000)))" restoreRRD --root "$R" --backup
check "no partial backup is left" test -z "$(ls -A "$R/stats/databases_backups" | grep '^\.')"

# rrdGraph --totals sums in memory: killed, it has written no database.
before=$(find "$R/stats/databases" -type f -exec md5sum {} + | sort | md5sum)
rrdGraph --root "$R" --machines m1,m2 -w --totals --date "$E3" -j 1 >/dev/null 2>&1 &
pid=$!
sleep 0.05
kill -KILL $pid 2>/dev/null
wait $pid 2>/dev/null
after=$(find "$R/stats/databases" -type f -exec md5sum {} + | sort | md5sum)
check "a killed rrdGraph --totals changed no database" test "$before" = "$after"
check "and left no database of its own" test ! -e "$R/stats/databases/combined"
