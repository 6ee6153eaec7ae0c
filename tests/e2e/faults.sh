#!/bin/sh
# Fault injection: every write path of the programs that write the stats tree
# meets a full disk (ENOSPC) or a permission error (EACCES), through the
# LD_PRELOAD shim tests/fault/faultshim.c at several points (the first and
# the last write / fsync / rename / file creation of a clean run, and a
# middle write) and, when this host lets root mount one, on a full tmpfs.
# After each fault:
#   - the exit status is 1 and the message names the file and the cause;
#   - no temporary ".<name>.XXXXXX" is left;
#   - every file that existed before is intact: its old content or the
#     complete content a clean run gives; no file appears that a clean run
#     would not make, nor with other content;
#   - the next run without the fault exits as a clean run does and leaves the
#     same tree as a clean run (so no state was advanced past its data).
# The clock is fixed (PXS_NOW); files that two clean runs still make
# differently are compared by presence only. The programs are tried two at a
# time (two cores), each in its own directory.
# FAULTS_ONLY=pattern tries only the matching programs; FAULTS_DEBUG=1 keeps a
# copy of each tree that did not recover (with PXS_KEEP=1).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

SHIM=$TMPROOT/faultshim.so
if ! cc -shared -fPIC -o "$SHIM" tests/fault/faultshim.c -ldl 2>"$TMPROOT/.err"; then
    fail "fault shim builds"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 5; exit 1
fi

L=$TMPROOT/logs          # read-only logs, outside the copied trees (stable inodes)
B=$TMPROOT/base          # the tree every case starts from
D0="2026-01-10 04:00:00"
D1="2026-01-10 08:00:00"
D2="2026-01-10 09:00:00"
mkdir -p "$B/stats" "$B/etc"
export PXS_NOW="2026-01-10 04:30:00"
loggen --logdir "$L" --machines pds1,pds2 --clients 2 --sources 1 --start "2026-01-10 00:00:00" \
    --hours 10 --rate 300 -q
printf '[graphics]\nlogFilesMachines = pds1,pds2\npicklingMachines = pds1\npicklingMachineLogins = px\n[databases]\nmachineNames = pds2\n' > "$B/etc/pxstats.conf"

# The previous state: pds2 and rx collected to D1, pds1 tx only to D0; merges,
# archive (and one backup), graphs and pages up to D0.
{
    # A client never collected starts at the previous hour: start at midnight.
    for m in pds1 pds2; do
        setLastUpdate --root "$B" -m $m --logdir "$L" -c client001,client002 "2026-01-10 00:00:00" &&
        setLastUpdate --root "$B" -m $m --logdir "$L" -f rx -c source001 "2026-01-10 00:00:00" || exit 1
    done &&
    statsUpdater --root "$B" -m pds1 --logdir "$L/pds1" -d "$D0" &&
    statsUpdater --root "$B" -m pds1 --logdir "$L/pds1" -f rx -d "$D1" --force-date &&
    statsUpdater --root "$B" -m pds2 --logdir "$L/pds2" -d "$D1" --force-date &&
    pickleMerge --root "$B" -c All -f tx -m pds1,pds2 -d "$D0" -s 4 &&
    rrdTransfer --root "$B" -m pds2 -e "$D0" &&
    rrdTransfer --root "$B" -m pds1 -f rx -e "$D0" &&
    restoreRRD --root "$B" --backup &&
    rrdGraph --root "$B" --machines pds2 -d --date "$D0" &&
    graphGen --root "$B" -c client001 -m pds2 -d "$D0" &&
    webPages --root "$B" --all --date "$D0"
} >"$TMPROOT/.out" 2>"$TMPROOT/.err"
if [ $? -eq 0 ]; then ok "base tree built"; else fail "base tree built"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 5; exit 1; fi
export PXS_NOW="2026-01-10 08:30:00"
BACKUP_DATE=$(ls "$B/stats/databases_backups" | head -n 1 | sed 's/_/ /')
# A newer archive than the backup, so that restoring it changes something.
rrdTransfer --root "$B" -m pds2 -f tx -e "$D1" >/dev/null 2>&1

# Each program works in its own directory S, on the tree W = S/work (the same
# path for every run of that program, since some files record paths).
use_dir() { S=$TMPROOT/s.$1; W=$S/work; mkdir -p "$S"; }
reset_work() { rm -rf "$W"; cp -a "$B" "$W"; }
# sums TREE: "<md5> <path>" of every file of TREE/stats, the run logs, locks
# and $EXCLUDE (an extended regex of paths) aside.
sums() {
    (cd "$1" && find stats -type f ! -path 'stats/log/*' ! -name '.*.lock' | sort |
        grep -Ev "${EXCLUDE:-^$}" | xargs -r -d '\n' md5sum | sed 's/^\([0-9a-f]\{32\}\)  /\1 /')
}
temporaries() { find "$W" -name '.*.??????' ! -name '*.lock'; }
cause_of() { case "$1" in EACCES) echo "Permission denied" ;; *) echo "No space left on device" ;; esac; }

# clean NAME CMD...: two clean runs; sets CLEAN_RC, the reference sums, the
# volatile paths, and the call counts of each operation.
clean() {
    name=$1; shift
    reset_work; sums "$W" > "$S/before"
    "$@" >"$S/out" 2>"$S/err"; CLEAN_RC=$?
    sums "$W" > "$S/clean1"
    reset_work; "$@" >/dev/null 2>&1; sums "$W" > "$S/clean2"
    # A path is volatile when the two clean runs disagree on it.
    cat "$S/clean1" "$S/clean2" | sort | uniq -u | cut -d' ' -f2- | sort -u > "$S/volatile"
    if [ "$CLEAN_RC" -le 1 ] && ! cmp -s "$S/before" "$S/clean1"; then ok "$name: clean run writes (exit $CLEAN_RC)"
    else fail "$name: clean run writes (exit $CLEAN_RC)"; sed 's/^/#   /' "$S/err" | head -n 3; fi
    reset_work; rm -f "$S/counts"
    LD_PRELOAD=$SHIM FAULT_OPS=write,fsync,rename,open FAULT_NTH=0 FAULT_LOG="$S/counts" "$@" >/dev/null 2>&1
}
count_of() { awk -v op="$1" '$2 == "count" && $3 == op && $4 > m { m = $4 } END { print m + 0 }' "$S/counts"; }

# compare_tree faulted|recovered: the paths of the work tree that break the
# rules of the header, one a line.
compare_tree() {
    sums "$W" > "$S/after"
    awk -v vol="$S/volatile" -v before="$S/before" -v clean="$S/clean1" -v mode="$1" \
        -v lag="${LAGGING:-^$}" -v derived="${DERIVED:-^$}" '
        BEGIN { while ((getline l < vol) > 0) v[l] = 1
                while ((getline l < before) > 0) { split(l, f, " "); b[substr(l, 34)] = f[1] }
                while ((getline l < clean) > 0) { split(l, f, " "); c[substr(l, 34)] = f[1] } }
        { p = substr($0, 34); seen[p] = 1
          if (p in v) next
          if (mode == "recovered") { if (!(p in c) || c[p] != $1) if (!(p ~ lag && (p in b) && b[p] == $1)) print p; next }
          if (p ~ derived) next
          # The undo journal of a feed whose commit failed: the next run
          # puts the databases back from it (checked below).
          if (p ~ /\/\.[^\/]*\.journal$/) next
          if ((p in b) && b[p] == $1) next
          if ((p in c) && c[p] == $1) next
          print p }
        END { for (p in b) if (!(p in seen) && !(p in v) && (p in c)) print "missing " p
              if (mode == "recovered") for (p in c) if (!(p in seen) && !(p in v)) print "missing " p }' "$S/after"
}

# The message says the cause and names one of the files that failed (by its
# final name: a temporary ".x.AbC123" or ".x.batch.AbC123" is reported as x).
check_message() {
    what=$1 cause=$(cause_of "$2") named=0
    for p in $(awk '$2 != "count" { print $4 }' "$S/faults" | sort -u); do
        base=$(basename "$p" | sed -E 's/^\.(.*)\.[A-Za-z0-9]{6}$/\1/; s/\.batch$//')
        grep -qF -- "$base" "$S/err" && named=1
    done
    if grep -qF "$cause" "$S/err" && [ $named -eq 1 ]; then ok "$what: the message names the file and '$cause'"
    else fail "$what: the message names the file and '$cause'"; sed 's/^/#   /' "$S/err" | head -n 3
         awk '{ print "#   injected: " $0 }' "$S/faults" | head -n 2; fi
}

# check_after_fault WHAT CMD...: temporaries, intact files, then recovery.
check_after_fault() {
    what=$1; shift
    left=$(temporaries)
    if [ -z "$left" ]; then ok "$what: no temporary left"; else fail "$what: no temporary left"; echo "$left" | head -n 3 | sed 's/^/#   /'; fi
    bad=$(compare_tree faulted)
    # Pages that list the images present are rewritten whole with what is there.
    for f in $(cd "$W" && find stats -type f | grep -E "${DERIVED:-^$}"); do
        tail -n 1 "$W/$f" | grep -q '</html>' || bad="$bad $f (incomplete)"
    done
    if [ -z "$bad" ]; then ok "$what: previous files intact, nothing half-made"
    else fail "$what: previous files intact, nothing half-made"; echo "$bad" | head -n 3 | sed 's/^/#   /'; fi
    "$@" >"$S/out" 2>"$S/err"; rc=$?
    bad=$(compare_tree recovered)
    [ -z "${FAULTS_DEBUG:-}" ] || [ -z "$bad" ] || cp -a "$W" "$S/debug.$(echo "$what" | tr -c 'A-Za-z0-9\n' '_')"
    journals=$(find "$W" -name '.*.journal')
    [ -z "$journals" ] || bad="$bad $journals (journal left after the next run)"
    if [ $rc -eq "$CLEAN_RC" ] && [ -z "$bad" ]; then ok "$what: the next run gives the clean result"
    else fail "$what: the next run gives the clean result (exit $rc)"; echo "$bad" | head -n 3 | sed 's/^/#   /'; sed 's/^/#   /' "$S/err" | head -n 2; fi
}

# fault_case NAME OP N ERRNO CMD...: one injected fault and its checks.
fault_case() {
    name=$1 op=$2 n=$3 err=$4; shift 4
    what="$name: $err on $op #$n"
    reset_work; rm -f "$S/faults"
    LD_PRELOAD=$SHIM FAULT_OPS=$op FAULT_NTH=$n FAULT_ERRNO=$err FAULT_LOG="$S/faults" \
        "$@" >"$S/out" 2>"$S/err"
    rc=$?
    if [ ! -s "$S/faults" ]; then ok "$what: not reached (the run took another path)"; return; fi
    # The run log (stats/log/) is the tool's diary, not its output: when it
    # alone cannot be written the run says so and keeps its exit status.
    want=1
    if ! awk '$2 != "count" { print $4 }' "$S/faults" | grep -qv '/stats/log/'; then want=$CLEAN_RC; fi
    if [ $rc -eq $want ]; then ok "$what: exit $want"; else fail "$what: exit $want (got $rc)"; sed 's/^/#   /' "$S/err" | head -n 3; fi
    check_message "$what" "$err"
    check_after_fault "$what" "$@"
}

# --- a real full disk: the stats tree on a tmpfs with no space left ----------
TMPFS_OK=""
mkdir -p "$TMPROOT/tmpfs-probe"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=1m tmpfs "$TMPROOT/tmpfs-probe" 2>/dev/null; then
    umount "$TMPROOT/tmpfs-probe"; TMPFS_OK=1
fi
unmount_all() { awk -v r="$TMPROOT/" 'index($2, r) == 1 { print $2 }' /proc/mounts | while read -r m; do umount "$m"; done; }
on_exit unmount_all
unmount_work() { if mountpoint -q "$W/stats" 2>/dev/null; then umount "$W/stats"; fi; }
tmpfs_case() {
    name=$1; shift
    what="$name: full tmpfs"
    unmount_work; reset_work
    mv "$W/stats" "$W/stats.orig"; mkdir "$W/stats"
    size=$(( $(du -sk "$W/stats.orig" | cut -f1) + 4096 ))
    mount -t tmpfs -o size=${size}k tmpfs "$W/stats" || { fail "$what: mount"; return; }
    cp -a "$W/stats.orig/." "$W/stats/"; rm -rf "$W/stats.orig"
    # Fill what is left: the next byte written fails with ENOSPC.
    dd if=/dev/zero of="$W/stats/filler" bs=64k 2>/dev/null
    dd if=/dev/zero of="$W/stats/filler2" bs=1 2>/dev/null
    "$@" >"$S/out" 2>"$S/err"; rc=$?
    if [ $rc -eq 1 ]; then ok "$what: exit 1"; else fail "$what: exit 1 (got $rc)"; sed 's/^/#   /' "$S/err" | head -n 3; fi
    if grep -q "No space left on device" "$S/err" && grep -q "$W/stats" "$S/err"; then ok "$what: the message names the file and the cause"
    else fail "$what: the message names the file and the cause"; sed 's/^/#   /' "$S/err" | head -n 3; fi
    rm -f "$W/stats/filler" "$W/stats/filler2"
    check_after_fault "$what" "$@"
    unmount_work
}

# program NAME CMD...: the clean references, then the faults.
program() {
    name=$1; shift
    case "$name" in *${FAULTS_ONLY:-}*) ;; *) return ;; esac
    started=$(date +%s)
    clean "$name" "$@"
    for op in write fsync rename open; do
        c=$(count_of $op)
        [ "$c" -gt 0 ] || continue
        mid=""
        [ $op = write ] && mid=$(((c + 1) / 2))
        for n in $(printf '%s\n' 1 $mid "$c" | sort -un); do
            fault_case "$name" $op "$n" ENOSPC "$@"
        done
    done
    [ "$(count_of open)" -gt 0 ] && fault_case "$name" open 1 EACCES "$@"
    if [ -n "$TMPFS_OK" ]; then tmpfs_case "$name" "$@"; fi
    echo "# $name: $(($(date +%s) - started)) s"
}
have() { [ -x "$BIN/$1" ]; }

# --- the programs that write ---------------------------------------------------
statsupdater() {
    use_dir statsUpdater
    # When only the positions commit fails, the times are already advanced
    # and the positions lag behind them: the next run has no hour to collect
    # and leaves them so; the run of the next hour skips the lines before its
    # window and catches up (checked below).
    LAGGING='^stats/PICKLED_FILE_POSITIONS$'
    have statsUpdater && program statsUpdater statsUpdater --root "$W" -m pds1 --logdir "$L/pds1" -d "$D1"
    LAGGING=''
    have statsUpdater || return
    case statsUpdater in *${FAULTS_ONLY:-}*) ;; *) return ;; esac
    reset_work
    statsUpdater --root "$W" -m pds1 --logdir "$L/pds1" -d "$D1" >/dev/null 2>&1
    statsUpdater --root "$W" -m pds1 --logdir "$L/pds1" -d "$D2" >/dev/null 2>&1
    sums "$W" > "$S/clean.next"
    reset_work
    LD_PRELOAD=$SHIM FAULT_OPS=fsync FAULT_PATH='*PICKLED_FILE_POSITIONS*' \
        statsUpdater --root "$W" -m pds1 --logdir "$L/pds1" -d "$D1" >/dev/null 2>&1
    statsUpdater --root "$W" -m pds1 --logdir "$L/pds1" -d "$D1" >/dev/null 2>&1
    statsUpdater --root "$W" -m pds1 --logdir "$L/pds1" -d "$D2" >/dev/null 2>&1
    sums "$W" > "$S/after"
    if cmp -s "$S/clean.next" "$S/after"; then ok "statsUpdater: positions lagging after a failed commit catch up at the next hour"
    else fail "statsUpdater: positions lagging after a failed commit catch up at the next hour"; diff "$S/clean.next" "$S/after" | head -n 4 | sed 's/^/#   /'; fi
}
setlastupdate() { use_dir setLastUpdate; have setLastUpdate && program setLastUpdate setLastUpdate --root "$W" -m pds2 "2026-01-10 02:00:00"; }
picklemerge() { use_dir pickleMerge; have pickleMerge && program pickleMerge pickleMerge --root "$W" -c All -f tx -m pds1,pds2 -d "$D1" -s 8; }
rrdtransfer() { use_dir rrdTransfer; have rrdTransfer && program rrdTransfer rrdTransfer --root "$W" -m pds1 -f rx -e "$D1"; }
restorerrd() {
    use_dir restoreRRD
    # A restore first backs up the archive as it is; a rerun after a failed
    # restore backs up the half-restored archive too: one more backup, under
    # the next second's name, that a clean run does not make.
    EXCLUDE='^stats/databases_backups/2026-01-10_08:30:01/'
    have restoreRRD && program restoreRRD restoreRRD --root "$W" "$BACKUP_DATE"
    EXCLUDE=''
}
rrdgraph() { use_dir rrdGraph; have rrdGraph && program rrdGraph rrdGraph --root "$W" --machines pds2 -d --date "$D1"; }
graphgen() { use_dir graphGen; have graphGen && program graphGen graphGen --root "$W" -c client001 -m pds2 -d "$D1"; }
webpages() { use_dir webPages; have webPages && program webPages webPages --root "$W" --all --date "$D1"; }
webimages() {
    use_dir webImages
    # With --images the pages list the images that exist: after a failed
    # image they are complete pages without it.
    DERIVED='^stats/webPages/.*\.html$'
    have webPages && program "webPages --images" webPages --root "$W" --images --all --date "$D1"
    DERIVED=''
}
statsmonitor() { use_dir statsMonitor; have statsMonitor && program statsMonitor statsMonitor --root "$W" --stdout --since "$D0"; }

if [ -n "$TMPFS_OK" ]; then ok "tmpfs mounts here: full-disk cases on a real filesystem too"
else ok "tmpfs cannot be mounted here: the shim alone injects the faults"; fi
# Two queues of about the same length, run side by side; their reports are
# printed in a fixed order.
( for f in webimages graphgen setlastupdate statsupdater picklemerge; do "$f" > "$TMPROOT/report.$f" 2>&1; done ) &
( for f in rrdgraph statsmonitor restorerrd webpages rrdtransfer; do "$f" > "$TMPROOT/report.$f" 2>&1; done ) &
wait
for f in statsupdater setlastupdate picklemerge rrdtransfer restorerrd rrdgraph graphgen webpages webimages statsmonitor; do
    cat "$TMPROOT/report.$f"
done
