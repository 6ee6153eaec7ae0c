#!/bin/sh
# The security properties of SECURITY.md that can be checked mechanically:
# no shell anywhere, temporaries only from mkstemp in atomicfile, unsafe names
# refused by every program that takes them (options and config), config
# errors named by file and line with exit status 1, files created under the
# umask, no temporaries left behind, strict ssh host key options.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

# --- the source: no shell, one temporary-file maker ---------------------------
hits=$(grep -rnE '\b(system|popen)[[:space:]]*\(' lib tools)
if [ -z "$hits" ]; then ok "no system() or popen() in lib/ or tools/"; else fail "no system() or popen() in lib/ or tools/"; echo "$hits" | sed 's/^/#   /'; fi
hits=$(grep -rnE '\bexec(l|lp|le|v|ve|vpe)?[[:space:]]*\(' lib tools | grep -v '^lib/spawn\.c:')
if [ -z "$hits" ]; then ok "programs are started only by lib/spawn.c"; else fail "programs are started only by lib/spawn.c"; echo "$hits" | sed 's/^/#   /'; fi
hits=$(grep -rnE '"(/bin/)?(ba|da)?sh"' lib tools)
if [ -z "$hits" ]; then ok "no 'sh -c' command line is built"; else fail "no 'sh -c' command line is built"; echo "$hits" | sed 's/^/#   /'; fi
hits=$(grep -rnE '\b(mkstemp|mkostemp|mktemp|tmpnam|tempnam|tmpfile)[[:space:]]*\(' lib tools | grep -v '^lib/atomicfile\.c:')
if [ -z "$hits" ]; then ok "temporary files only from mkstemp in lib/atomicfile.c"; else fail "temporary files only from mkstemp in lib/atomicfile.c"; echo "$hits" | sed 's/^/#   /'; fi
hits=$(grep -rnE '\bpxs_name_(valid|check)\b' lib/names.c | head -n 1)
others=$(grep -rlE '^(bool|int)[[:space:]]+[a-z_]*name_(valid|check)[[:space:]]*\(' lib | grep -v '^lib/names\.c$')
if [ -n "$hits" ] && [ -z "$others" ]; then ok "one name validator (lib/names.c)"; else fail "one name validator (lib/names.c)"; echo "#   $others"; fi
if grep -q 'StrictHostKeyChecking=yes' lib/picklesync.c && grep -q 'GlobalKnownHostsFile=/dev/null' lib/picklesync.c &&
   grep -q 'BatchMode=yes' lib/picklesync.c; then ok "rsync's ssh: strict host keys, our known_hosts only, no prompt"
else fail "rsync's ssh: strict host keys, our known_hosts only, no prompt"; fi
if grep -q 'libssh2_knownhost_checkp\?' lib/remote.c; then ok "libssh2 sessions check the host key against known_hosts"
else fail "libssh2 sessions check the host key against known_hosts"; fi

# --- unsafe names on the command line -----------------------------------------
R=$(newroot)
D="2026-01-10 06:00:00"
long=$(printf 'a%.0s' $(seq 1 129))
# refuse "description" command...: exit 2 and "unsafe" in the message.
refuse() {
    d=$1; shift
    "$@" >"$TMPROOT/.out" 2>"$TMPROOT/.err"; got=$?
    if [ "$got" -eq 2 ] && grep -q 'unsafe' "$TMPROOT/.err"; then ok "$d"
    else fail "$d (exit $got)"; head -n 2 "$TMPROOT/.err" | sed 's/^/#   /'; fi
}
for bad in '../x' 'a/b' 'a b' '-x' '.hidden' 'a;id' '$(id)' 'a`id`' "$long"; do
    show=$(printf '%s' "$bad" | cut -c1-12)
    refuse "statsUpdater -c '$show' refused" statsUpdater --root "$R" -c "$bad" -m pds1 -d "$D"
    refuse "statsUpdater -m '$show' refused" statsUpdater --root "$R" -m "$bad" -d "$D"
    refuse "setLastUpdate -c '$show' refused" setLastUpdate --root "$R" -c "ok,$bad" -m pds1 "$D"
    refuse "setLastUpdate -m '$show' refused" setLastUpdate --root "$R" -m "$bad" "$D"
    refuse "pickleMerge -c '$show' refused" pickleMerge --root "$R" -c "$bad" -f tx -m pds1,pds2 -d "$D"
    refuse "pickleMerge -m '$show' refused" pickleMerge --root "$R" -c a -f tx -m "pds1,$bad" -d "$D"
    refuse "pickleSync -c '$show' refused" pickleSync --root "$R" -c "$bad" -m pds1
    refuse "pickleSync -m '$show' refused" pickleSync --root "$R" -m "$bad"
    refuse "pickleSync -l '$show' refused" pickleSync --root "$R" -l "$bad" -m pds1
    refuse "rrdTransfer -c '$show' refused" rrdTransfer --root "$R" -c "$bad" -m pds1
    # ';' separates machine groups in rrdTransfer's -m: "a;id" is two good names.
    [ "$bad" = 'a;id' ] || refuse "rrdTransfer -m '$show' refused" rrdTransfer --root "$R" -c a -m "$bad"
    refuse "rrdGraph -c '$show' refused" rrdGraph --root "$R" -c "$bad" -d
    refuse "rrdGraph --machines '$show' refused" rrdGraph --root "$R" --machines "$bad" -d
    refuse "graphGen -c '$show' refused" graphGen --root "$R" -c "$bad" -m pds1 -d "$D"
    refuse "graphGen -m '$show' refused" graphGen --root "$R" -c a -m "$bad" -d "$D"
done
# Nothing was created outside the stats tree by any of these.
if [ -z "$(find "$TMPROOT" -maxdepth 1 -name 'x' -o -maxdepth 1 -name 'b')" ] && [ ! -e "$R/x" ] && [ ! -e "$R/stats/x" ]; then
    ok "no file was made from a refused name"; else fail "no file was made from a refused name"; fi

# --- unsafe names in the config ------------------------------------------------
printf '[graphics]\nlogFilesMachines = pds5;../evil\npicklingMachines = pds5;pds6\npicklingMachineLogins = a;b\n' > "$R/etc/badgroups.conf"
expect_status 2 "launchGraphs: an unsafe machine in the config: exit 2 (a refused machine list)" launchGraphs --root "$R" --config "$R/etc/badgroups.conf" --dry-run -d "$D"
stderr_has "badgroups.conf|logFilesMachines" "launchGraphs: the message names the setting"
stderr_has "unsafe machine name '../evil'" "launchGraphs: the message names the unsafe name"
printf '[graphics]\nlogFilesMachines = pds5\npicklingMachines = pds5\npicklingMachineLogins = x\n[uploads]\nmachineNames = up$(id)\nlogins = a\n' > "$R/etc/badupload.conf"
expect_status 1 "launchGraphs: an unsafe upload machine in the config: exit 1" launchGraphs --root "$R" --config "$R/etc/badupload.conf" --dry-run -d "$D"
stderr_has "unsafe" "launchGraphs: unsafe upload machine named"

# --- unsafe names from the file system ----------------------------------------
R2=$(newroot)
loggen --logdir "$R2/log" --clients 1 --sources 0 --start "2026-01-10 00:00:00" --hours 3 -q
cp "$R2/log/tx_client001.log" "$R2/log/tx_a;b.log"
cp "$R2/log/tx_client001.log" "$R2/log/tx_.hidden.log"
statsUpdater --root "$R2" -m pds1 -d "2026-01-10 03:00:00" >"$TMPROOT/.out" 2>"$TMPROOT/.err"
if [ -d "$R2/stats/pickles/client001" ] && [ ! -e "$R2/stats/pickles/a;b" ] && [ ! -e "$R2/stats/pickles/.hidden" ]; then
    ok "statsUpdater -c All: log files with unsafe names make no path"
else fail "statsUpdater -c All: log files with unsafe names make no path"; ls "$R2/stats/pickles" | sed 's/^/#   /'; fi

# --- config errors: file:line, exit 1, for every program that reads it ---------
# (pickleView reads no config: it only prints the files it is given.)
printf '[collection]\nmaxLatency = 10\n[paths\nlogdir = x\n' > "$R/etc/syntax.conf"
printf '[collection]\n\nmaxLatency = soon\n' > "$R/etc/value.conf"
for p in statsUpdater timesView pickleClean rrdTransfer statsMonitor webPages launchGraphs \
         "setLastUpdate -m pds1 2026-01-10" "pickleMerge -c a -f tx -m p1,p2" \
         "pickleSync -m pds1" "restoreRRD --list" "rrdGraph -d" \
         "graphGen -c a -m pds1"; do
    name=${p%% *}
    # shellcheck disable=SC2086
    expect_status 1 "$name: config syntax error: exit 1" $p --root "$R" --config "$R/etc/syntax.conf"
    stderr_has "syntax\.conf:3: " "$name: the syntax error names file:line"
    if [ "$name" = statsUpdater ] || [ "$name" = rrdTransfer ]; then
        # shellcheck disable=SC2086
        expect_status 1 "$name: a bad value: exit 1" $p --root "$R" --config "$R/etc/value.conf"
        stderr_has "value\.conf:3: .*maxLatency" "$name: the bad value names file:line and key"
    fi
done

# --- umask 027 -----------------------------------------------------------------
R3=$(newroot)
( umask 027
  loggen --logdir "$R3/log" --clients 2 --sources 1 --machines pds1,pds2 --start "2026-01-10 00:00:00" --hours 8 -q
  statsUpdater --root "$R3" -m pds1 --logdir "$R3/log/pds1" -d "$D"
  statsUpdater --root "$R3" -m pds2 --logdir "$R3/log/pds2" -d "$D"
  statsUpdater --root "$R3" -m pds1 --logdir "$R3/log/pds1" -f rx -d "$D"
  pickleMerge --root "$R3" -c All -f tx -m pds1,pds2 -d "$D"
  rrdTransfer --root "$R3" -m pds1 -e "$D"
  rrdGraph --root "$R3" --machines pds1 -d --date "$D"
  graphGen --root "$R3" -c client001 -m pds1 -d "$D"
  webPages --root "$R3" --all --date "$D"
  webPages --root "$R3" --images --all --date "$D"
  restoreRRD --root "$R3" --backup
  statsMonitor --root "$R3" --stdout
) >"$TMPROOT/.out" 2>"$TMPROOT/.err"
n=$(find "$R3/stats" -mindepth 1 | wc -l)
loose=$(find "$R3/stats" -mindepth 1 -perm /027 -printf '%m %P\n')
if [ "$n" -gt 20 ] && [ -z "$loose" ]; then ok "files created under umask 027 have no group write and no other access ($n files)"
else fail "files created under umask 027 have no group write and no other access ($n files)"; echo "$loose" | head -n 5 | sed 's/^/#   /'; fi
for kind in pickles databases graphs webPages PICKLED-TIMES; do
    if [ -e "$R3/stats/$kind" ]; then ok "umask run made $kind"; else fail "umask run made $kind"; fi
done
left=$(find "$R3/stats" -name '.*.??????' ! -name '.*.lock')
if [ -z "$left" ]; then ok "no temporary .name.XXXXXX left after the runs"; else fail "no temporary .name.XXXXXX left after the runs"; echo "$left" | head -n 3 | sed 's/^/#   /'; fi

# --- HTML: names arrive escaped ------------------------------------------------
if grep -q 'pxs_html_escape' lib/web.c && [ -f "$R3/stats/webPages/dailyGraphs.html" ] &&
   ! grep -qE '<(script|iframe)' "$R3/stats/webPages/dailyGraphs.html"; then
    ok "pages are written through pxs_html_escape"
else fail "pages are written through pxs_html_escape"; fi
