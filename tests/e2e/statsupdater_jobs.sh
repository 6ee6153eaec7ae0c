#!/bin/sh
# statsUpdater -j N: a catch-up of many clients collected by N worker
# processes gives the snapshots and the state files of a run of one process,
# byte for byte; a -j 2 run killed with SIGKILL (the parent alone, or the
# whole process group) and run again gives those of a clean run, and leaves
# no temporary. The kill instants are seeded (PXS_KILL_SEED replays them).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

seed=${PXS_KILL_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
echo "# kill instants seeded with PXS_KILL_SEED=$seed"
D="2026-01-11 00:00:00"

r=$(newroot)
loggen --logdir "$r/log" --clients 9 --sources 0 --start "2026-01-09 12:00:00" --hours 36 --rate 2000 --noise -q
names=$(cd "$r/log" && ls tx_*.log | sed 's/^tx_//; s/\.log$//' | paste -sd, -)
setLastUpdate --root "$r" -m pds1 -c "$names" "2026-01-09 12:00:00" >/dev/null 2>&1
# The state before the catch-up; every run below starts from it, on the same
# log files (same inodes: the positions must match byte for byte).
cp -a "$r/stats" "$TMPROOT/stats0"
reset() { rm -rf "$r/stats"; cp -a "$TMPROOT/stats0" "$r/stats"; }
# keep NAME: the stats tree of the last run, without the lock and the run log.
keep() { rm -rf "$TMPROOT/$1"; cp -a "$r/stats" "$TMPROOT/$1"; rm -rf "$TMPROOT/$1/.statsUpdater.lock" "$TMPROOT/$1/log"; }
temporaries() { find "$r/stats" \( -name '.*.??????' ! -name '.*.lock' \) -o -name '.statsUpdater-jobs'; }

run() { statsUpdater --root "$r" -m pds1 -c All -d "$D" "$@"; }

reset
s=$(date +%s.%N)
expect_status 0 "statsUpdater -j 1: the catch-up of 9 clients" run -j 1
e=$(date +%s.%N)
len=$(echo "$s $e" | awk '{d = $2 - $1; print d < 0.1 ? 0.1 : d}')
keep j1
n=$(find "$TMPROOT/j1/pickles" -type f | wc -l)
if [ "$n" -eq $((9 * 36)) ]; then ok "statsUpdater -j 1: 36 snapshots for each client"; else fail "statsUpdater -j 1: 36 snapshots for each client ($n)"; fi
for j in 2 4; do
    reset
    expect_status 0 "statsUpdater -j $j: the same catch-up" run -j "$j"
    keep "j$j"
    same_files "statsUpdater -j $j: snapshots, PICKLED-TIMES and PICKLED_FILE_POSITIONS of -j 1, byte for byte" "$TMPROOT/j1" "$TMPROOT/j$j"
    check "statsUpdater -j $j: no temporary and no job file left" test -z "$(temporaries)"
done
# More workers than clients, and the hourly run after a -j catch-up.
reset
expect_status 0 "statsUpdater -j 16 on 2 clients" run -j 16 -c client001,client002
expect_status 0 "statsUpdater -j 2 then: the rest of the clients" run -j 2
keep j16
same_files "statsUpdater -j 16 then -j 2: the state and snapshots of one run of -j 1" "$TMPROOT/j1" "$TMPROOT/j16"

# A -j 2 run killed at a random instant of a clean run's length, then run
# again (waiting for the lock that the killed run's workers may still hold).
k=0
for how in parent group parent group; do
    k=$((k + 1))
    reset
    delay=$(awk -v s="$seed" -v k="$k" -v l="$len" 'BEGIN { srand(s + k); printf "%.3f", rand() * l }')
    setsid statsUpdater --root "$r" -m pds1 -c All -d "$D" -j 2 >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if [ "$how" = parent ]; then kill -9 "$pid" 2>/dev/null; else kill -9 "-$pid" 2>/dev/null; fi
    wait "$pid" 2>/dev/null
    expect_status 0 "statsUpdater -j 2 killed ($how) after ${delay}s: the rerun completes" run -j 2
    keep "killed$k"
    same_files "statsUpdater -j 2 killed ($how) after ${delay}s, run again: the result of a clean run" "$TMPROOT/j1" "$TMPROOT/killed$k"
    left=$(temporaries)
    if [ -z "$left" ]; then ok "statsUpdater -j 2 killed ($how): nothing left after the rerun"
    else fail "statsUpdater -j 2 killed ($how): nothing left after the rerun"; echo "$left" | head -n 3 | sed 's/^/#   /'; fi
done

# A client that fails in a worker fails alone, in the order of the list.
reset
expect_status 1 "statsUpdater -j 2: a client without a log fails" run -j 2 -c client001,nosuch,client002
stderr_has "tx_nosuch: not updated" "statsUpdater -j 2: the failing client is named"
if grep -q "tx_client001 2026-01-11 00:00:00" "$r/stats/PICKLED-TIMES" &&
   grep -q "tx_client002 2026-01-11 00:00:00" "$r/stats/PICKLED-TIMES" && ! grep -q nosuch "$r/stats/PICKLED-TIMES"; then
    ok "statsUpdater -j 2: the others advance, the failing client gets no state"
else fail "statsUpdater -j 2: the others advance, the failing client gets no state"; fi
check "statsUpdater -j 0 is a usage error" sh -c "statsUpdater --root '$r' -j 0; test \$? -eq 2"
