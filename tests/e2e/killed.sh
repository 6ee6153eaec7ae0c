#!/bin/sh
# Every writer of the stats tree killed with SIGKILL at random instants, then
# run again (SECURITY.md, "temporaries"): no ".<name>.XXXXXX" temporary, no
# ".<date>.partial" backup and no private directory of librrd's or rsync's
# creates is left behind, and the rerun gives the result of a clean run.
# The whole process group is killed (gnuplot, rrdGraph children too), as an
# OOM killer or a reboot would. The instants are drawn from [0, the length of
# a clean run]; their seed is printed, so that a failure can be replayed
# with PXS_KILL_SEED.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

seed=${PXS_KILL_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# kill instants seeded with PXS_KILL_SEED=$seed"
D="2026-01-10 06:00:00"

base=$(newroot)
loggen --logdir "$base/log" --clients 4 --sources 1 --machines pds1,pds2 --start "2026-01-10 00:00:00" --hours 6 --rate 3000 -q
for m in pds1 pds2; do
    setLastUpdate --root "$base" -m "$m" -c client001,client002,client003,client004 "2026-01-10 00:00:00"
    setLastUpdate --root "$base" -m "$m" -f rx -c source001 "2026-01-10 00:00:00"
done >/dev/null 2>&1

# temporaries ROOT: what a killed writer may leave, and must not stay.
temporaries() { find "$1/stats" \( -name '.*.??????' ! -name '.*.lock' \) -o -name '.*.partial' -o -name '.*.new*'; }
# clock CMD...: runs CMD, prints its length in seconds (at least 0.05).
clock() { s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$s $e" | awk '{d = $2 - $1; print d < 0.05 ? 0.05 : d}'; }
# scratch: a copy of the tree r, to time a clean run on.
scratch() { x=$(mktemp -d "$TMPROOT/scratch.XXXXXX"); cp -a "$r/." "$x/"; echo "$x"; }
k=0
# campaign NAME ROOT LENGTH CMD...: kills runs of CMD (on ROOT) at 6 random
# instants of [0, LENGTH], counting what each leaves (the next run removes it
# as it writes), then runs it to the end: nothing may stay.
campaign() {
    name=$1 root=$2 len=$3; shift 3
    i=0 seen=0
    while [ $i -lt 6 ]; do
        i=$((i + 1)); k=$((k + 1))
        delay=$(awk -v s="$seed" -v k="$k" -v l="$len" 'BEGIN { srand(s + k); printf "%.3f", rand() * l }')
        setsid "$@" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 "-$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        seen=$((seen + $(temporaries "$root" | wc -l)))
    done
    echo "# $name: the killed runs left $seen temporaries in all (a clean run takes ${len}s)"
    expect_status 0 "$name: the run after six SIGKILLs completes" "$@"
    left=$(temporaries "$root")
    if [ -z "$left" ]; then ok "$name: nothing left by the killed runs"
    else fail "$name: nothing left by the killed runs"; echo "$left" | head -n 3 | sed 's/^/#   /'; fi
}

# statsUpdater (a batch of snapshots, the state files), compared with a clean run.
r=$(newroot); cp -a "$base/." "$r/"; c=$(newroot); cp -a "$base/." "$c/"
for m in pds1 pds2; do
    len=$(clock statsUpdater --root "$c" -m "$m" --logdir "$c/log/$m" -d "$D")
    campaign "statsUpdater -m $m" "$r" "$len" statsUpdater --root "$r" -m "$m" --logdir "$r/log/$m" -d "$D"
done
same_buckets "statsUpdater: killed runs then a rerun give the snapshots of a clean run" "$c/stats/pickles" "$r/stats/pickles"
for m in pds1 pds2; do statsUpdater --root "$r" -m "$m" -f rx --logdir "$r/log/$m" -d "$D" >/dev/null 2>&1; done

# pickleMerge (merged snapshots, FILE_VERSIONS), compared with a clean merge.
rm -rf "$c"; c=$(newroot); cp -a "$r/." "$c/"
len=$(clock pickleMerge --root "$c" -c All -f tx -m pds1,pds2 -d "$D" -s 6)
campaign "pickleMerge" "$r" "$len" pickleMerge --root "$r" -c All -f tx -m pds1,pds2 -d "$D" -s 6
same_buckets "pickleMerge: killed runs then a rerun give the merges of a clean run" "$c/stats/pickles" "$r/stats/pickles"

# rrdTransfer (librrd's creates in their private directories, updates,
# DATABASE-UPDATES).
x=$(scratch)
len=$(clock rrdTransfer --root "$x" -m "pds1;pds2" -e "$D")
campaign "rrdTransfer" "$r" "$len" rrdTransfer --root "$r" -m "pds1;pds2" -e "$D"
len=$(clock rrdTransfer --root "$x" -f rx -m pds1 -e "$D")
campaign "rrdTransfer -f rx" "$r" "$len" rrdTransfer --root "$r" -f rx -m pds1 -e "$D"
n=$(find "$r/stats/databases" -type f | wc -l)
if [ "$n" -ge 43 ]; then ok "rrdTransfer: every database is there ($n)"; else fail "rrdTransfer: every database is there ($n)"; fi

# graphGen (PNGs through gnuplot, the web tree's copies), -n (names change).
x=$(scratch)
len=$(clock graphGen --root "$x" --all -l -m pds1,pds2 -d "$D" -s 6)
campaign "graphGen --all -l" "$r" "$len" graphGen --root "$r" --all -l -m pds1,pds2 -d "$D" -s 6
len=$(clock env PXS_NOW="2026-01-10 05:40:00" graphGen --root "$x" -c client001,client002 -m pds1 -n -s 6)
campaign "graphGen -n" "$r" "$len" env PXS_NOW="2026-01-10 05:40:00" graphGen --root "$r" -c client001,client002 -m pds1 -n -s 6

# rrdGraph, webPages (--images runs rrdGraph; then the pages).
x=$(scratch)
len=$(clock rrdGraph --root "$x" --machines pds1 -w -l --date "$D")
campaign "rrdGraph -w -l" "$r" "$len" rrdGraph --root "$r" --machines pds1 -w -l --date "$D"
len=$(clock webPages --root "$x" --images --all --refresh --date "$D")
campaign "webPages --images" "$r" "$len" webPages --root "$r" --images --all --refresh --date "$D"
len=$(clock webPages --root "$x" --all --date "$D")
campaign "webPages" "$r" "$len" webPages --root "$r" --all --date "$D"

# restoreRRD: backups (built under .<date>.partial) and a restore.
x=$(scratch)
len=$(clock restoreRRD --root "$x" --backup)
campaign "restoreRRD --backup" "$r" "$len" restoreRRD --root "$r" --backup
b=$(restoreRRD --root "$r" --list 2>/dev/null | head -n 1)
len=$(clock restoreRRD --root "$x" "$b")
campaign "restoreRRD (a restore)" "$r" "$len" restoreRRD --root "$r" "$b"

# statsMonitor (its state files; exit 1: it reports warnings, no crontab here).
x=$(scratch)
len=$(clock statsMonitor --root "$x" --stdout)
campaign "statsMonitor" "$r" "$len" sh -c 'statsMonitor "$@"; [ $? -le 1 ]' _ --root "$r" --stdout

# The instants a kill rarely meets, made by hand: what a run killed there
# leaves, exactly as it would be, then the writer run again.
plant() { mkdir -p "$(dirname "$1")" && echo partial > "$1"; }
g=$r/stats/graphs/tx/client001
plant "$g/.tx_client001_20260110_04:00:00_errors,bytecount,latency_6hours_on_pds1,pds2_forAllproducts.png.k1Ll3d"
plant "$r/stats/webGraphics/columbo/tx/.client001.png.k1Ll3d"
expect_status 0 "graphGen after a kill inside gnuplot's write of another hour's image" \
    graphGen --root "$r" -c client001 -m pds1,pds2 -d "$D" -s 6 -l
plant "$r/stats/pickles/client002/20260110/tx/.pds1pds2_03.k1Ll3d"
plant "$r/stats/.FILE_VERSIONS.k1Ll3d"
rm -f "$r/stats/pickles/client002/20260110/tx/pds1pds2_03"
expect_status 0 "pickleMerge after a kill before a merged snapshot's rename" \
    pickleMerge --root "$r" -c client002 -f tx -m pds1,pds2 -d "$D" -s 6
db=$r/stats/databases/tx/latency/client003_pds1
# A create is made under ".<name>.new", through librrd's own "<that>XXXXXX".
rm "$db"
plant "$(dirname "$db")/.client003_pds1.new"
plant "$(dirname "$db")/.client003_pds1.newXy12Ab"
rm -f "$r/stats/DATABASE-UPDATES/tx/client003_pds1"
expect_status 0 "rrdTransfer after a kill inside librrd's create" rrdTransfer --root "$r" -c client003 -m pds1 -e "$D"
plant "$r/stats/webPages/.weeklyGraphs.html.k1Ll3d"
plant "$r/stats/webGraphics/daily/tx/client001/.Fri.png.k1Ll3d"
expect_status 0 "webPages after a kill before a page's rename" webPages --root "$r" --all --images --date "$D"
mkdir -p "$r/stats/databases_backups/.2026-01-10_05:00:00.partial/databases"
expect_status 0 "restoreRRD after a kill inside a backup" restoreRRD --root "$r" --backup
left=$(temporaries "$r")
if [ -z "$left" ]; then ok "each writer removed what its killed predecessor left"
else fail "each writer removed what its killed predecessor left"; echo "$left" | sed 's/^/#   /'; fi
if [ -f "$db" ] && rrdtool info "$db" >/dev/null 2>&1; then ok "the database whose create was killed is whole"
else fail "the database whose create was killed is whole"; fi

# What the campaign has made is still a tree every program reads.
expect_status 0 "after it all, pickleMerge reads every snapshot" pickleMerge --root "$r" -c All -f tx -m pds1,pds2 -d "$D" -s 6
