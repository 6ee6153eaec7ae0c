# pickleClean: old snapshot days go, everything else stays (other names,
# files, links and what they point to); -k, --dry-run, -v; PXS_NOW as today.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
S=$R/stats
export PXS_NOW="2006-10-08 12:34:56"

expect_status 0 "pickleClean -h exits 0" pickleClean -h
stdout_has '^usage: pickleClean \[-k DAYS\]' "-h prints the usage on stdout"
# The SYNOPSIS of the troff source, macros dropped (no man(1) needed).
synopsis=$(awk '/^\.SH SYNOPSIS/{on=1;next} /^\.SH/{on=0} on' "$TOP/man/pickleClean.1" |
    sed -e 's/^\.[A-Z]*[ ]*//' -e 's/ //g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' | tr '\n' ' ' | sed 's/ $//')
if [ "usage: $synopsis" = "$(head -n 1 "$TMPROOT/.out")" ]; then ok "man SYNOPSIS = first usage line"; else fail "man SYNOPSIS = first usage line ($synopsis)"; fi
expect_status 2 "-k 0 is a usage error" pickleClean --root "$R" -k 0
expect_status 2 "-k x is a usage error" pickleClean --root "$R" -k x
stderr_has "^pickleClean: -k: 'x' is not a number" "bad -k: said"
expect_status 2 "an argument is a usage error" pickleClean --root "$R" extra

expect_status 1 "no stats tree: an error (a mistyped --root)" pickleClean --root "$TMPROOT/typo" -v
stderr_has "stats tree $TMPROOT/typo/stats: No such file or directory" "no stats tree: the tree looked for is named"
check "no stats tree: none created" test ! -e "$TMPROOT/typo"
expect_status 0 "no pickles directory: nothing to do" pickleClean --root "$R" -v
if [ -s "$TMPROOT/.out" ]; then fail "no pickles directory: nothing printed"; else ok "no pickles directory: nothing printed"; fi

# The tree: days around the cutoff (5 days kept: 2006-10-04 .. today), and
# things that must never be touched.
build() {
    P=$S/pickles
    for d in 20060930 20061001 20061003 20061004 20061007 20061008 20061009; do
        mkdir -p "$P/amis/$d/tx" "$P/amis/$d/rx"
        echo x > "$P/amis/$d/tx/pds5_00"
        echo x > "$P/amis/$d/tx/pds5pds6_13"
    done
    mkdir -p "$P/metser/20061003/tx" "$P/metser/2006100" "$P/metser/20061301" "$P/metser/old" "$P/.snap/20000101"
    echo x > "$P/metser/20061003/tx/pds5_23"
    echo x > "$P/metser/20061002"          # a file named like a day
    echo x > "$P/metser/notes.txt"
    echo x > "$P/README"
    mkdir -p "$TMPROOT/outside/sub" && echo precious > "$TMPROOT/outside/sub/file"
    ln -sfn "$TMPROOT/outside" "$P/metser/20060101"        # a link named like an old day
    ln -sfn "$TMPROOT/outside" "$P/amis/20061001/tx/link"  # a link inside an old day
    ln -sfn "$TMPROOT/outside" "$P/linked"                 # a link among the clients
}
build
find "$S" | sort > "$TMPROOT/before"

expect_status 0 "--dry-run" pickleClean --root "$R" --dry-run
cat > "$TMPROOT/want" <<EOF
would remove $S/pickles/amis/20060930
would remove $S/pickles/amis/20061001
would remove $S/pickles/amis/20061003
would remove $S/pickles/metser/20061003
EOF
if cmp -s "$TMPROOT/want" "$TMPROOT/.out"; then ok "--dry-run lists the old days, in order"; else fail "--dry-run lists the old days, in order"; sed 's/^/#   /' "$TMPROOT/.out"; fi
find "$S" | sort > "$TMPROOT/after"
same_files "--dry-run removes nothing" "$TMPROOT/before" "$TMPROOT/after"

expect_status 0 "quiet run" pickleClean --root "$R"
if [ -s "$TMPROOT/.out" ] || [ -s "$TMPROOT/.err" ]; then fail "quiet run prints nothing"; else ok "quiet run prints nothing"; fi
find "$S" | sort > "$TMPROOT/after"
# What went is exactly the four days and their content; the rest is intact.
grep -v -e '/amis/20060930' -e '/amis/20061001' -e '/amis/20061003' -e '/metser/20061003' "$TMPROOT/before" > "$TMPROOT/kept"
same_files "exactly the old days removed, all else intact" "$TMPROOT/kept" "$TMPROOT/after"
check "a link's target survives" grep -qx precious "$TMPROOT/outside/sub/file"
check "the link named like a day stays" test -L "$S/pickles/metser/20060101"
check "today is kept" test -f "$S/pickles/amis/20061008/tx/pds5_00"
check "the oldest kept day (today - 4) is kept" test -d "$S/pickles/amis/20061004"
check "a future day is kept" test -d "$S/pickles/amis/20061009"

expect_status 0 "-k 2 -v" pickleClean --root "$R" -k 2 -v
cat > "$TMPROOT/want" <<EOF
removed $S/pickles/amis/20061004
EOF
if cmp -s "$TMPROOT/want" "$TMPROOT/.out"; then ok "-v lists what was removed"; else fail "-v lists what was removed"; sed 's/^/#   /' "$TMPROOT/.out"; fi
check "-k 2 keeps yesterday" test -d "$S/pickles/amis/20061007"

# Today follows the clock (PXS_NOW): a week later everything dated goes.
expect_status 0 "a week later, -k 1" env PXS_NOW="2006-10-20 00:00:00" pickleClean --root "$R" -k 1 -v
n=$(grep -c '^removed ' "$TMPROOT/.out")
[ "$n" = 3 ] && ok "a week later: the 3 remaining days removed" || fail "a week later: the 3 remaining days removed ($n)"
check "a week later: other names still there" test -d "$S/pickles/metser/old" -a -d "$S/pickles/metser/2006100" -a -f "$S/pickles/metser/20061002" -a -d "$S/pickles/.snap/20000101"

# A day that cannot be removed is named; the others still go.
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$S/pickles/zulu/20060101/tx" "$S/pickles/zulu/20060102"
    chmod 555 "$S/pickles/zulu/20060101"
    echo x > "$S/pickles/zulu/20060101/tx/f" 2>/dev/null
    expect_status 1 "an unremovable day: exit 1" pickleClean --root "$R"
    stderr_has "zulu/20060101" "an unremovable day: named"
    check "an unremovable day: the others still removed" test ! -e "$S/pickles/zulu/20060102"
    chmod 755 "$S/pickles/zulu/20060101"
fi
# pickles that is not a directory: the file named, exit 1.
R2=$(newroot)
echo x > "$R2/stats/pickles"
expect_status 1 "pickles is a file: exit 1" pickleClean --root "$R2"
stderr_has "^pickleClean: $R2/stats/pickles: Not a directory" "pickles is a file: named with the cause"

# Graphs: graphGen draws one per client every hour; those last written before
# the graph days kept (default 7, [cleaning] graphDays, -g) go, with the rrd
# graphs; nothing else in graphs/ is touched, no link followed (rule 6).
R3=$(newroot); G=$R3/stats/graphs
mkdir -p "$G/tx/amis/rrdgraphs" "$G/rx/ncp1" "$G/tx/amis-cvt" "$G/other"
for f in tx/amis/old.png tx/amis/rrdgraphs/old.png rx/ncp1/old.png tx/amis-cvt/old.png \
         tx/amis/notes.txt other/old.png; do echo x > "$G/$f"; touch -d "2006-09-30 12:00:00" "$G/$f"; done
for f in tx/amis/new.png tx/amis/rrdgraphs/new.png rx/ncp1/edge.png; do echo x > "$G/$f"; done
touch -d "2006-10-07 12:00:00" "$G/tx/amis/new.png" "$G/tx/amis/rrdgraphs/new.png"
touch -d "2006-10-01 23:59:59" "$G/rx/ncp1/edge.png"   # the day before the oldest kept (2006-10-02)
ln -sfn "$TMPROOT/outside" "$G/tx/linked"
echo precious > "$TMPROOT/outside/old.png"; touch -d "2006-01-01" "$TMPROOT/outside/old.png"
expect_status 0 "graphs: old graphs are cleaned (default 7 days)" pickleClean --root "$R3" -v
for f in tx/amis/old.png tx/amis/rrdgraphs/old.png rx/ncp1/old.png tx/amis-cvt/old.png rx/ncp1/edge.png; do
    check "graphs: $f removed" test ! -e "$G/$f"
done
check "graphs: recent graphs stay" test -f "$G/tx/amis/new.png" -a -f "$G/tx/amis/rrdgraphs/new.png"
check "graphs: other files and folders stay" test -f "$G/tx/amis/notes.txt" -a -f "$G/other/old.png"
check "graphs: no link followed" grep -qx precious "$TMPROOT/outside/old.png"
stdout_has "^removed $G/tx/amis/rrdgraphs/old.png$" "graphs: -v lists the graphs removed"
expect_status 0 "graphs: -g 1 keeps today's only" pickleClean --root "$R3" -g 1 -v
check "graphs: -g 1 removed yesterday's" test ! -e "$G/tx/amis/new.png"
printf '[cleaning]\nsnapshotDays = 2\ngraphDays = x\n' > "$R3/etc/pxstats.conf"
expect_status 2 "a bad [cleaning] graphDays is a usage error" pickleClean --root "$R3"
stderr_has "graphDays" "and is named"
printf '[cleaning]\nsnapshotDays = 2\n' > "$R3/etc/pxstats.conf"
mkdir -p "$R3/stats/pickles/amis/20061006/tx" "$R3/stats/pickles/amis/20061007/tx"
expect_status 0 "[cleaning] snapshotDays is the default of -k" pickleClean --root "$R3" -v
check "snapshotDays = 2 keeps yesterday and removes the day before" \
    test -d "$R3/stats/pickles/amis/20061007" -a ! -e "$R3/stats/pickles/amis/20061006"
