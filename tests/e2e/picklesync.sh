#!/bin/sh
# pickleSync against a real sshd: two "machines" (127.0.0.1 and localhost,
# told apart by their remote stats roots in the config), one machine down,
# only what changed travels, whole files only, client filters, strict host
# keys, no --delete, a hostile machine's links and special files never
# imported, runs killed with SIGKILL, the log file and the usage.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

if ! sshd_start; then fail "sshd starts on 127.0.0.1"; exit 1; fi
ok "sshd starts on 127.0.0.1:$SSHD_PORT"

local_root=$(newroot)
r1=$(newroot)   # machine m1, reached as 127.0.0.1
r2=$(newroot)   # machine m2, reached as localhost
conf=$local_root/etc/pxstats.conf
sshd_pxstats_conf "$conf"
cat >> "$conf" <<EOF
[sync]
timeout = 20
[sync 127.0.0.1]
remoteStatsDir = $r1/stats
[sync localhost]
remoteStatsDir = $r2/stats
EOF
psync() { pickleSync --root "$local_root" "$@"; }

# Snapshot-like files (rsync does not care what they hold).
put() { mkdir -p "$(dirname "$1")" && head -c "${2:-3000}" /dev/urandom > "$1"; }
day=20061008
put "$r1/stats/pickles/amis/$day/tx/m1_12"
put "$r1/stats/pickles/amis/$day/tx/m1_13"
put "$r1/stats/pickles/wxo-b1/$day/tx/m1_12"
put "$r1/stats/pickles/wxo-b1/$day/rx/m1_12"
put "$r2/stats/pickles/amis/$day/tx/m2_12"
put "$r2/stats/pickles/wxo-b1/$day/tx/m2_12"
lp=$local_root/stats/pickles

expect_status 0 "sync two machines" psync -m 127.0.0.1,localhost
same_files "m1's amis arrived whole" "$r1/stats/pickles/amis/$day/tx/m1_12" "$lp/amis/$day/tx/m1_12"
same_files "m1's wxo-b1 rx arrived" "$r1/stats/pickles/wxo-b1/$day/rx/m1_12" "$lp/wxo-b1/$day/rx/m1_12"
same_files "m2's amis arrived" "$r2/stats/pickles/amis/$day/tx/m2_12" "$lp/amis/$day/tx/m2_12"
same_files "m2's wxo-b1 arrived" "$r2/stats/pickles/wxo-b1/$day/tx/m2_12" "$lp/wxo-b1/$day/tx/m2_12"
n=$(find "$lp" -type f | wc -l)
if [ "$n" -eq 6 ]; then ok "exactly the six snapshots, no temporaries"; else fail "six snapshots expected, found $n"; fi

# Only what changed travels, and it arrives through a temporary file renamed
# over the old one (a new inode; --inplace would keep the inode).
ino_same=$(stat -c %i "$lp/amis/$day/tx/m1_13")
ino_changed=$(stat -c %i "$lp/amis/$day/tx/m1_12")
put "$r1/stats/pickles/amis/$day/tx/m1_12" 5000
expect_status 0 "sync after one change (-v)" psync -v -m 127.0.0.1
stdout_has "amis/$day/tx/m1_12" "the changed snapshot is transferred"
if grep -q "m1_13" "$TMPROOT/.out"; then fail "unchanged snapshots are not transferred"; else ok "unchanged snapshots are not transferred"; fi
same_files "the changed snapshot is up to date" "$r1/stats/pickles/amis/$day/tx/m1_12" "$lp/amis/$day/tx/m1_12"
if [ "$(stat -c %i "$lp/amis/$day/tx/m1_13")" = "$ino_same" ]; then ok "an unchanged file is left alone"; else fail "an unchanged file is left alone"; fi
if [ "$(stat -c %i "$lp/amis/$day/tx/m1_12")" != "$ino_changed" ]; then ok "a changed file is replaced by rename, never rewritten in place"; else fail "a changed file is replaced by rename"; fi
stderr_has "127.0.0.1:$SSHD_PORT: synchronised" "-v reports each machine"

# login@host:port in the list.
put "$r2/stats/pickles/amis/$day/tx/m2_14"
expect_status 0 "login@host:port form" psync -m "$SSH_USER@localhost:$SSHD_PORT"
same_files "and the files arrive" "$r2/stats/pickles/amis/$day/tx/m2_14" "$lp/amis/$day/tx/m2_14"

# One machine down: reported, the other still synchronised, exit 1.
closed=$(sshd_free_port)
put "$r2/stats/pickles/amis/$day/tx/m2_13"
expect_status 1 "a machine down makes the run fail" psync -m "127.0.0.1:$closed,localhost"
stderr_has "127.0.0.1:$closed: rsync failed \\(exit [0-9]+\\).*Connection refused" "the machine down is named with the cause"
same_files "the other machine still synchronised" "$r2/stats/pickles/amis/$day/tx/m2_13" "$lp/amis/$day/tx/m2_13"

# The machine down first and last: the order does not matter.
put "$r1/stats/pickles/amis/$day/tx/m1_14"
expect_status 1 "down machine listed last" psync -m "127.0.0.1,localhost:$closed"
same_files "the first machine synchronised" "$r1/stats/pickles/amis/$day/tx/m1_14" "$lp/amis/$day/tx/m1_14"

# A machine that accepts the connection and never speaks: ssh's
# ConnectTimeout (2 s here) ends it, and the other machine still syncs.
sed 's/^connectTimeout = .*/connectTimeout = 2/' "$conf" > "$TMPROOT/fast.conf"
sshd_silent_start || fail "silent listener starts"
put "$r2/stats/pickles/amis/$day/tx/m2_15"
t0=$(date +%s%3N)
expect_status 1 "a machine that never answers fails" pickleSync --root "$local_root" --config "$TMPROOT/fast.conf" -m "127.0.0.1:$SILENT_PORT,localhost"
el=$(( $(date +%s%3N) - t0 ))
if [ "$el" -le 6000 ]; then ok "within the connect timeout (${el} ms)"; else fail "within the connect timeout (${el} ms)"; fi
stderr_has "127.0.0.1:$SILENT_PORT: rsync failed.*(timed out|Connection timed out)" "the silent machine is named with the cause"
same_files "the other machine still synchronised" "$r2/stats/pickles/amis/$day/tx/m2_15" "$lp/amis/$day/tx/m2_15"

# Clients: only the named ones; a client a machine lacks is no error.
put "$r1/stats/pickles/wxo-b1/$day/tx/m1_13"
put "$r1/stats/pickles/amis/$day/tx/m1_15"
expect_status 0 "-c amis,absent" psync -c amis,absent -m 127.0.0.1
same_files "the named client synchronised" "$r1/stats/pickles/amis/$day/tx/m1_15" "$lp/amis/$day/tx/m1_15"
if [ -e "$lp/wxo-b1/$day/tx/m1_13" ]; then fail "other clients left alone"; else ok "other clients left alone"; fi
if [ -e "$lp/absent" ]; then fail "no directory for an absent client"; else ok "no directory for an absent client"; fi
expect_status 0 "-c All" psync -c All -m 127.0.0.1
same_files "All takes every client" "$r1/stats/pickles/wxo-b1/$day/tx/m1_13" "$lp/wxo-b1/$day/tx/m1_13"

# No --delete: a snapshot removed on a machine stays here.
rm "$r1/stats/pickles/amis/$day/tx/m1_15"
expect_status 0 "sync after a remote deletion" psync -m 127.0.0.1
if [ -e "$lp/amis/$day/tx/m1_15" ]; then ok "a remote deletion does not delete here"; else fail "a remote deletion does not delete here"; fi

# Strict host keys: a machine whose key is not known is refused.
sed "s|^knownHosts = .*|knownHosts = $TMPROOT/empty_kh|" "$conf" > "$TMPROOT/strict.conf"
: > "$TMPROOT/empty_kh"
put "$r1/stats/pickles/amis/$day/tx/m1_16"
expect_status 1 "unknown host key refused" pickleSync --root "$local_root" --config "$TMPROOT/strict.conf" -m 127.0.0.1
stderr_has "Host key verification failed" "rsync's ssh says why"
if [ -e "$lp/amis/$day/tx/m1_16" ]; then fail "nothing copied from an unknown host"; else ok "nothing copied from an unknown host"; fi

# A key file whose path holds a space (rsync's -e quoting).
mkdir -p "$TMPROOT/my keys"
cp "$SSH_KEY" "$TMPROOT/my keys/id key"
sed "s|^identity = .*|identity = $TMPROOT/my keys/id key|" "$conf" > "$TMPROOT/space.conf"
expect_status 0 "identity path with a space" pickleSync --root "$local_root" --config "$TMPROOT/space.conf" -m 127.0.0.1
same_files "and the files arrive" "$r1/stats/pickles/amis/$day/tx/m1_16" "$lp/amis/$day/tx/m1_16"

# -o: every message goes to the log file.
log=$TMPROOT/sync.log
expect_status 1 "-o LOGFILE" psync -v -o "$log" -m "127.0.0.1:$closed,localhost"
if [ ! -s "$TMPROOT/.err" ] && grep -q "127.0.0.1:$closed: rsync failed" "$log" && grep -q "localhost:$SSHD_PORT: synchronised" "$log"; then
    ok "messages appended to the log file, none on stderr"; else fail "messages appended to the log file"; fi

# A hostile machine: its tree holds links out of the tree (absolute, and
# relative climbing out), a link inside it, a client that is a link to a
# directory elsewhere, a FIFO, a socket, a device (when root may make one);
# and this host has a link where the machine has a client directory. Only
# regular files and directories arrive; nothing is written outside the tree;
# nothing hangs.
hp=$r1/stats/pickles
secret=$TMPROOT/secret
outside=$TMPROOT/outside
echo "secret" > "$secret"
mkdir -p "$outside" "$hp/evil/$day/tx" "$hp/evil2/$day/tx"
put "$hp/evil/$day/tx/m1_10"
ln -s "$secret" "$hp/evil/$day/tx/m1_11"
ln -s "../../../../../../../../../../..$secret" "$hp/evil/$day/tx/m1_12"
ln -s m1_10 "$hp/evil/$day/tx/m1_13"
ln -s /dev/zero "$hp/evil/$day/tx/m1_14"
mkfifo "$hp/evil/$day/tx/m1_15"
python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$hp/evil/$day/tx/m1_16"
mknod "$hp/evil/$day/tx/m1_17" c 1 5 2>/dev/null
ln -s "$outside" "$hp/evildir"
put "$hp/evil2/$day/tx/m1_10"
ln -s "$outside" "$lp/evil2"
expect_status 0 "a machine's tree with links, a FIFO, a socket, a device: synchronised" \
    timeout 120 pickleSync --root "$local_root" -c evil,evildir,evil2 -m 127.0.0.1
stdout_has 'skipping non-regular file "evil/'"$day"'/tx/m1_11"' "rsync says what it skipped"
same_files "its regular snapshot arrived" "$hp/evil/$day/tx/m1_10" "$lp/evil/$day/tx/m1_10"
odd=$(find "$lp" ! -type f ! -type d)
if [ -z "$odd" ]; then ok "only regular files and directories in the local tree"
else fail "only regular files and directories in the local tree"; echo "$odd" | sed 's/^/#   /'; fi
if [ ! -e "$lp/evildir" ] && [ -z "$(ls -A "$outside")" ] && [ "$(cat "$secret")" = secret ]; then
    ok "nothing written outside the tree"; else fail "nothing written outside the tree"; ls -la "$outside" | sed 's/^/#   /'; fi
if [ -d "$lp/evil2" ] && [ ! -L "$lp/evil2" ] && [ -f "$lp/evil2/$day/tx/m1_10" ]; then
    ok "a local link where the machine has a directory is replaced, not followed"
else fail "a local link where the machine has a directory is replaced, not followed"; fi
left=$(find "$local_root/stats" -name '.*.??????')
if [ -z "$left" ]; then ok "no temporary and no staging directory left"; else fail "no temporary left"; echo "$left" | sed 's/^/#   /'; fi

# A run killed at any instant (the whole process group, as an OOM killer or
# a reboot would): the next run removes what it left and completes.
for i in 1 2 3 4 5 6 7 8; do put "$hp/bulk/$day/tx/m1_$i" 400000; done
for delay in 0.05 0.2 0.4 0.8; do
    setsid pickleSync --root "$local_root" -c bulk -m 127.0.0.1 >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -9 "-$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
expect_status 0 "after runs killed with SIGKILL, a run completes" psync -c bulk -m 127.0.0.1
left=$(find "$local_root/stats" -name '.*.??????')
if [ -z "$left" ]; then ok "killed runs leave no temporary behind"; else fail "killed runs leave no temporary behind"; echo "$left" | head -n 3 | sed 's/^/#   /'; fi
same_files "every file of the killed runs is whole" "$hp/bulk" "$lp/bulk"

# Usage.
expect_status 0 "-h" pickleSync -h
stdout_has "^usage: pickleSync \\[-c CLIENTS\\] \\[-l LOGIN\\] -m MACHINES" "-h prints the synopsis"
expect_status 2 "-m is required" psync
expect_status 2 "an unsafe machine name is a usage error" psync -m 'a;b'
stderr_has "unsafe host name" "names the cause"
expect_status 2 "an unsafe login is a usage error" psync -l '-oProxyCommand=x' -m 127.0.0.1
expect_status 2 "an unsafe client is a usage error" psync -c '../x' -m 127.0.0.1
