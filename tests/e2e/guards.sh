#!/bin/sh
# Guard rails: what every program does with an operator's mistake, the same
# way. For every program: -h matches the man page's SYNOPSIS, --version gives
# the Makefile's version, a bad option is one line ending "try '<prog> -h'"
# (exit 2), long options are spelled alike across programs. Then the typos:
# a stats tree that does not exist (every reading program refuses it and
# creates nothing; statsUpdater and setLastUpdate start one and say so), a
# mistyped config section or key (file:line and the nearest name), names with
# nothing in the tree (clients, sources, machines), -c All of a file type,
# an undeliverable report; and every config key the sources read is known.
# Last, make install then make uninstall leave nothing behind.
. "$(dirname "$0")/lib.sh"

T=$TMPROOT
VERSION=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
PROGS=$(cd "$TOP/tools" && ls *.c | sed 's/\.c$//')

# ---- every program: usage, SYNOPSIS, --version, a bad option ------------------------
# The synopsis of -h (the lines up to the first that is not "usage:" or an
# indented continuation / second form) and of the man page (the troff between
# SYNOPSIS and DESCRIPTION, macros, argument quotes and font escapes dropped),
# compared with every blank removed.
man_synopsis() {
    sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p' "$TOP/man/$1.1" | sed -e '/^\.SH/d' -e '/^\.br/d' \
        -e 's/^\.[A-Z]* *//' -e 's/"//g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' -e 's/\\f[BIRP]//g' | tr -d ' \n'
}
usage_synopsis() {
    awk 'NR == 1 { sub(/^usage: /, ""); print; next } /^ +[-[(."a-zA-Z]/ && !/^  -/ && !/^      --/ { print; next } { exit }' "$1" |
        tr -d ' \n'
}
for p in $PROGS; do
    expect_status 0 "$p -h exits 0" "$p" -h
    cp "$T/.out" "$T/usage.$p"
    if [ "$(usage_synopsis "$T/usage.$p")" = "$(man_synopsis "$p")" ]; then
        ok "$p: the man page's SYNOPSIS is the usage's"
    else
        fail "$p: the man page's SYNOPSIS is the usage's"
        echo "#   usage: $(usage_synopsis "$T/usage.$p")"; echo "#   man:   $(man_synopsis "$p")"
    fi
    stdout_has '--version' "$p -h lists --version"
    check "$p's man page documents --version" grep -q 'B \\-\\-version' "$TOP/man/$p.1"
    expect_status 0 "$p --version exits 0" "$p" --version
    stdout_has "^$p \\(pxstats\\) $VERSION\$" "$p --version prints '$p (pxstats) $VERSION'"
    expect_status 2 "$p --bogus exits 2" "$p" --bogus
    if [ "$(wc -l < "$T/.err")" -eq 1 ] && grep -q "^$p: unknown option '--bogus'; try '$p -h'\$" "$T/.err"; then
        ok "$p --bogus: one line, ending \"try '$p -h'\""
    else
        fail "$p --bogus: one line, ending \"try '$p -h'\""; sed 's/^/#   /' "$T/.err" | head -n 3
    fi
done
check "a man page for every program (and pxstats.conf(5))" test "$(ls "$TOP"/man/*.1 | wc -l)" -eq "$(echo "$PROGS" | wc -w)" -a -f "$TOP/man/pxstats.conf.5"

# One spelling per long option across all programs (--fileType, never
# --filetype in one of them): the options of every usage, grouped ignoring case.
cat "$T"/usage.* | grep -o -- '--[a-zA-Z][a-zA-Z-]*' | sort -u > "$T/longopts"
clash=$(tr 'A-Z' 'a-z' < "$T/longopts" | sort | uniq -d | tr '\n' ' ')
check "every long option has one spelling across the programs${clash:+ (not: $clash)}" test -z "$clash"
for p in graphGen pickleMerge rrdTransfer rrdGraph statsUpdater setLastUpdate statsQuery; do
    check "$p spells it --fileType" grep -q -- '--fileType' "$T/usage.$p"
done

# Typed options: the nearest option or value is offered.
expect_status 2 "graphGen --filetype: a usage error" graphGen --filetype rx -c x
stderr_has "unknown option '--filetype' \(did you mean --fileType\?\); try 'graphGen -h'" "graphGen --filetype: did you mean --fileType"
expect_status 2 "rrdTransfer -f tz: a usage error" rrdTransfer -f tz
stderr_has "-f: 'tz' is not one of tx, rx \(did you mean tx\?\)" "-f tz: did you mean tx"
expect_status 2 "statsUpdater -d with a bad date" statsUpdater -d "2026-13-01 00:00:00"
stderr_has 'bad date .*YYYY-MM-DD HH:MM:SS' "a bad date: the format is given"
expect_status 2 "webPages --dayly: a usage error" webPages --dayly
stderr_has "did you mean --daily\?" "webPages --dayly: did you mean --daily"
expect_status 2 "graphGen -c amis,amis: a name twice" graphGen -c amis,amis
stderr_has "client 'amis' is named twice" "a name twice is named"
expect_status 2 "pickleView --config: pickleView reads no config" pickleView --config x.conf some_snapshot
expect_status 2 "pickleView --root: nor a root" pickleView --root /x some_snapshot

# ---- a stats tree that does not exist -----------------------------------------------
NOPE=$T/typo
for cmd in "pickleClean" "pickleClean -n" "rrdTransfer" "restoreRRD --backup" "restoreRRD --list" \
           "graphGen -c amis -m pds5" "graphGen --all -m pds5" "webPages" "webPages --images" \
           "timesView" "statsMonitor --stdout" "launchGraphs --dry-run" "pickleSync -m pds5" \
           "pickleMerge -c All -f tx -m pds5,pds6" "rrdGraph -d --machines pds5" "statsQuery -m pds5"; do
    # shellcheck disable=SC2086
    expect_status 1 "no stats tree: $cmd fails" $cmd --root "$NOPE"
    stderr_has "stats tree $NOPE/stats: No such file or directory" "no stats tree: $cmd names it"
    check "no stats tree: $cmd creates nothing" test ! -e "$NOPE"
done
# The same through PXROOT (the suite's default root does not exist).
expect_status 1 "no stats tree at \$PXROOT: timesView fails" timesView
stderr_has "stats tree $PXROOT/stats: No such" "no stats tree at \$PXROOT: named"
# A file where the tree should be.
mkdir -p "$T/file-root" && : > "$T/file-root/stats"
expect_status 1 "a file as the stats tree: refused" timesView --root "$T/file-root"
stderr_has "stats tree $T/file-root/stats: not a directory" "a file as the stats tree: said"
# The two programs that start a tree say so with -v.
mkdir -p "$T/new/log"
echo "2026-01-10 00:00:05,000 [INFO] (10 Bytes) Bulletin A:b:c:d:3:Direct:20260110000000  delivered" > "$T/new/log/tx_amis.log"
expect_status 0 "setLastUpdate starts a tree" setLastUpdate --root "$T/new" -m here -c amis -f tx -v "2026-01-10 00:00:00"
stderr_has "^setLastUpdate: created the stats tree $T/new/stats\$" "setLastUpdate -v says it created the tree"
rm -rf "$T/new/stats"
expect_status 0 "statsUpdater starts a tree" statsUpdater --root "$T/new" -m here -c amis -d "2026-01-10 02:00:00" -v
stderr_has "^statsUpdater: created the stats tree $T/new/stats\$" "statsUpdater -v says it created the tree"
rm -rf "$T/new/stats"
statsUpdater --root "$T/new" -m here -c amis -d "2026-01-10 02:00:00" 2> "$T/quiet.err"
check "without -v, starting a tree is silent" test ! -s "$T/quiet.err"

# ---- the config: unknown sections and keys -----------------------------------------
R=$(newroot)
cfg() { printf "$1" > "$R/etc/pxstats.conf"; }
cfg '[collecton]\nmaxLatency = 30\n'
expect_status 1 "[collecton]: refused" timesView --root "$R"
stderr_has "^timesView: $R/etc/pxstats.conf:1: unknown section \[collecton\] \(did you mean \[collection\]\?\)\$" \
    "[collecton]: file:line and the nearest section"
cfg '[monitoring]\nemail = ops@example.org\n'
expect_status 1 "email = : refused" statsMonitor --root "$R" --stdout
stderr_has "pxstats.conf:2: unknown key 'email' in \[monitoring\] \(did you mean emails\?\)" "email: did you mean emails"
cfg '# the log machines\n[graphics]\nlogFileMachines = pds5,pds6\n'
expect_status 1 "logFileMachines: refused" launchGraphs --root "$R" --dry-run
stderr_has "pxstats.conf:3: unknown key 'logFileMachines' in \[graphics\] \(did you mean logFilesMachines\?\)" \
    "logFileMachines: did you mean logFilesMachines"
cfg '[databases]\nmachinesNames = pds5\n'
expect_status 1 "machinesNames: refused by rrdTransfer" rrdTransfer --root "$R"
stderr_has "did you mean machineNames\?" "machinesNames: did you mean machineNames"
cfg 'maxLatency = 30\n'
expect_status 1 "a key before any section: refused" statsUpdater --root "$R" -m x
stderr_has "pxstats.conf:1: 'maxLatency' is outside any \[section\] \(it belongs in \[collection\]\)" \
    "a key before any section: where it belongs"
cfg '[paths]\nmaxLatency = 30\n'
expect_status 1 "a key in another section: refused" webPages --root "$R"
stderr_has "it belongs in \[collection\]" "a key in another section: where it belongs"
cfg '[Collection]\nMAXLATENCY = 30\n[monitoring.gaps]\namis = 240\n[sync pds5]\nremoteStatsDir = /x\n'
expect_status 0 "known sections and keys in any case, per-host [sync <host>], [monitoring.gaps] clients" \
    timesView --root "$R"
expect_status 1 "a --config that does not exist: named" timesView --root "$R" --config "$T/none.conf"
stderr_has "$T/none.conf" "a --config that does not exist: the file is named"
rm -f "$R/etc/pxstats.conf"
# The samples are valid configs.
for f in "$TOP/etc/pxstats.conf.sample" "$TOP/etc/monitoring.conf.sample"; do
    expect_status 0 "$(basename "$f") is accepted" timesView --root "$R" --config "$f"
done
# Every key the sources read (pxs_conf_get*(cfg, "section", "key", ...) and the
# wrappers of launch.c) is in the table of known keys: a config holding them all
# is accepted. A module that reads a new key must add its line to lib/confkeys.c.
grep -hoE '[a-z_]*conf[a-z_]*\([^,()]+, *"[^"]+", *"[A-Za-z]+"' "$TOP"/lib/*.c "$TOP"/tools/*.c |
    sed -E 's/.*"([^"]+)", *"([A-Za-z]+)"$/\1 \2/' | sort -u > "$T/keys"
check "the sources read at least 30 keys ($(wc -l < "$T/keys") found)" test "$(wc -l < "$T/keys")" -ge 30
awk '{ if ($1 != s) { print "[" $1 "]"; s = $1 } print $2 " = 1" }' "$T/keys" > "$T/allkeys.conf"
expect_status 0 "a config of every key the sources read is accepted" timesView --root "$R" --config "$T/allkeys.conf"
while read -r sec key; do
    grep -q "$key" "$TOP/man/pxstats.conf.5" || echo "[$sec] $key"
done < "$T/keys" > "$T/undocumented"
check "every key read is documented in pxstats.conf(5)$(tr '\n' ' ' < "$T/undocumented")" test ! -s "$T/undocumented"

# ---- names with nothing in the tree ----------------------------------------------------
R=$(newroot)
S=$R/stats
loggen -q --logdir "$R/log" --machines pds5,pds6 --names amis,satnet --source-names ncp1 \
    --start "2026-11-23 00:00:00" --hours 4 --rate 120
collect "$R" "2026-11-23 00:00:00" "2026-11-23 04:00:00" pds5,pds6 amis,satnet ncp1 ||
    fail "collecting the logs"
export PXS_NOW="2026-11-23 04:30:00"
snapshots() { find "$S/pickles" -type f | sort; }
snapshots > "$T/before"
expect_status 1 "pickleMerge -m pds5,pds9: pds9 has no snapshot" pickleMerge --root "$R" -c All -f tx -m pds5,pds9 -d "2026-11-23 04:00:00" -s 4
stderr_has "no tx snapshot of machine 'pds9' under $S/pickles" "pickleMerge: the machine and the place looked at"
snapshots > "$T/after"
same_files "pickleMerge -m pds5,pds9: no pds5pds9 snapshot built" "$T/before" "$T/after"
expect_status 1 "pickleMerge -c amsi: no such client" pickleMerge --root "$R" -c amsi -f tx -m pds5,pds6
stderr_has "no tx snapshot of client 'amsi'" "pickleMerge -c amsi: named"
expect_status 0 "pickleMerge --filetype (the old spelling) still works" pickleMerge --root "$R" -c All --filetype tx -m pds5,pds6 -d "2026-11-23 04:00:00" -s 4
check "... and builds the merged snapshots" test -s "$S/pickles/amis/20261123/tx/pds5pds6_03"
expect_status 1 "graphGen -c nosuch: no empty PNG" graphGen --root "$R" -c nosuch -m pds5 -d "2026-11-23 04:00:00"
stderr_has "no tx snapshot of client 'nosuch' under $S/pickles" "graphGen -c nosuch: named"
check "graphGen -c nosuch: no graph drawn" test ! -e "$S/graphs"
expect_status 1 "graphGen -m pds7: no such machine" graphGen --root "$R" -c amis -m pds7 -d "2026-11-23 04:00:00"
stderr_has "no tx snapshot of machine 'pds7' for amis" "graphGen -m pds7: named"
expect_status 1 "graphGen --all -m pds7: no such machine" graphGen --root "$R" --all -m pds7
stderr_has "machine 'pds7'" "graphGen --all -m pds7: named"
expect_status 0 "graphGen -c All -f rx: the sources only" graphGen --root "$R" -c All -f rx -m pds5,pds6 -d "2026-11-23 04:00:00" --script
n=$(grep -c '^# panel [0-9]*: client=' "$T/.out")
check "graphGen -c All -f rx: one source, two panels, no tx client ($n panels)" test "$n" -eq 2
check "graphGen -c All -f rx: amis is not drawn" sh -c "! grep -q 'client=amis' '$T/.out'"
expect_status 1 "rrdTransfer -c nosuch: not 'fed up to'" rrdTransfer --root "$R" -c nosuch -m pds5,pds6 -e "2026-11-23 04:00:00"
stderr_has "no tx snapshot of client 'nosuch'" "rrdTransfer -c nosuch: named"
check "rrdTransfer -c nosuch: no run-log line for the monitor" test ! -e "$S/log/rrdTransfer.log"
expect_status 1 "rrdTransfer -m pds7: not 'fed up to'" rrdTransfer --root "$R" -m pds7 -e "2026-11-23 04:00:00"
stderr_has "no tx snapshot of machine 'pds7'" "rrdTransfer -m pds7: named"
check "rrdTransfer -m pds7: no database" test ! -e "$S/databases"
expect_status 1 "rrdTransfer -f rx -c amis: amis is a tx client" rrdTransfer --root "$R" -f rx -c amis -m pds5,pds6 -e "2026-11-23 04:00:00"
stderr_has "no rx snapshot of source 'amis'" "rrdTransfer -f rx -c amis: named"
expect_status 1 "restoreRRD --backup with no archive: nothing to back up" restoreRRD --root "$R" --backup
stderr_has "nothing to back up: $S/databases" "restoreRRD --backup: the archive looked for"
check "restoreRRD --backup: no empty backup" test ! -e "$S/databases_backups"
expect_status 0 "rrdTransfer of the real names" rrdTransfer --root "$R" -m pds5,pds6 -e "2026-11-23 04:00:00"
expect_status 1 "rrdGraph -c nosuch: no archive" rrdGraph --root "$R" -c nosuch --machines pds5,pds6 -d --date "2026-11-23 04:00:00"
stderr_has "no tx archive of client 'nosuch' for machines 'pds5pds6'" "rrdGraph -c nosuch: named"
expect_status 1 "rrdGraph --machines pds7: no archive" rrdGraph --root "$R" --machines pds7 -d --date "2026-11-23 04:00:00"
stderr_has "no tx archive for machines 'pds7'" "rrdGraph --machines pds7: named"
expect_status 1 "statsQuery -c amsi: no such client" statsQuery --root "$R" -c amsi -m pds5
stderr_has "no tx snapshot of client 'amsi'" "statsQuery -c amsi: named"
expect_status 1 "statsUpdater -m pds7: no log of that machine" statsUpdater --root "$R" -m pds7 -d "2026-11-23 04:00:00"
stderr_has "no tx log of machine 'pds7' in $R/log" "statsUpdater -m pds7: the log directory looked in"
expect_status 1 "statsUpdater -c amsi: no log" statsUpdater --root "$R" -m pds5 -c amsi -d "2026-11-23 04:00:00"
stderr_has "tx_amsi.log: no such log file" "statsUpdater -c amsi: the log looked for"
cp "$S/PICKLED-TIMES" "$T/times.before"
expect_status 1 "setLastUpdate -c amsi: not recorded as a new client" setLastUpdate --root "$R" -m pds5 -c amsi -f tx "2026-11-23 00:00:00"
stderr_has "nothing known of amsi on machine pds5: no log in $R/log/pds5" "setLastUpdate -c amsi: where it looked"
same_files "setLastUpdate -c amsi: PICKLED-TIMES unchanged" "$T/times.before" "$S/PICKLED-TIMES"
expect_status 1 "setLastUpdate -m pds7: nothing recorded" setLastUpdate --root "$R" -m pds7 "2026-11-23 00:00:00"
same_files "setLastUpdate -m pds7: PICKLED-TIMES unchanged" "$T/times.before" "$S/PICKLED-TIMES"
expect_status 0 "statsUpdater --machines (the other tools' spelling) is accepted" \
    statsUpdater --root "$R" --machines pds5 -d "2026-11-23 04:00:00"

# ---- a report that cannot be mailed --------------------------------------------------------
mkdir -p "$T/bin"
printf '#!/bin/sh\ncat > /dev/null\necho "relay refused" >&2\nexit 75\n' > "$T/bin/sendmail"
chmod +x "$T/bin/sendmail"
printf '[monitoring]\nemails = ops@example.org\nsendmail = %s/bin/sendmail\nfolders = %s\nmaxUsages = 100\n' "$T" "$S" > "$R/etc/pxstats.conf"
statsMonitor --root "$R" > "$T/mon.out" 2> "$T/mon.err"
rc=$?
check "an undeliverable report: exit 1 ($rc)" test $rc -eq 1
check "an undeliverable report: the failure is said" grep -q 'sendmail exited with status 75: relay refused' "$T/mon.err"
check "an undeliverable report: the report is on stderr" grep -q 'Stats monitor results' "$T/mon.err"
check "an undeliverable report: the report is in the run log" \
    sh -c "grep -q 'statsMonitor: the report could not be mailed' '$S/log/statsMonitor.log' && grep -q 'statsMonitor: | Stats monitor results' '$S/log/statsMonitor.log'"
rm -f "$R/etc/pxstats.conf"

# ---- make install, make uninstall ---------------------------------------------------------
I=$T/install
if make -s -C "$TOP" install DESTDIR="$I" PREFIX=/usr > "$T/install.out" 2>&1; then
    ok "make install DESTDIR=... PREFIX=/usr"
else
    fail "make install DESTDIR=... PREFIX=/usr"; tail -n 3 "$T/install.out" | sed 's/^/#   /'
fi
check "installed: every program, man page and doc" \
    test -x "$I/usr/bin/statsQuery" -a -f "$I/usr/share/man/man1/statsQuery.1" -a -f "$I/usr/share/man/man5/pxstats.conf.5" -a -f "$I/usr/share/doc/pxstats/README.md"
make -s -C "$TOP" uninstall DESTDIR="$I" PREFIX=/usr > "$T/uninstall.out" 2>&1
left=$(find "$I" ! -type d | head -n 5 | tr '\n' ' ')
check "make uninstall removes every file make install put${left:+ (left: $left)}" test -z "$left"
exit 0
