# timesView: the PICKLED-TIMES table, sorted; an empty tree; a damaged file
# named with its line; --root and --config; the usage.
. "$(dirname "$0")/lib.sh"

R=$(newroot)

expect_status 0 "timesView -h exits 0" timesView -h
stdout_has '^usage: timesView \[--root DIR\] \[--config FILE\]$' "-h prints the usage on stdout"
# The SYNOPSIS of the troff source, macros dropped (no man(1) needed).
synopsis=$(awk '/^\.SH SYNOPSIS/{on=1;next} /^\.SH/{on=0} on' "$TOP/man/timesView.1" |
    sed -e 's/^\.[A-Z]*[ ]*//' -e 's/ //g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' | tr '\n' ' ' | sed 's/ $//')
if [ "usage: $synopsis" = "$(head -n 1 "$TMPROOT/.out")" ]; then ok "man SYNOPSIS = first usage line"; else fail "man SYNOPSIS = first usage line ($synopsis)"; fi
expect_status 2 "an argument is a usage error" timesView extra
stderr_has "^timesView: unexpected argument 'extra'" "usage error says why"
expect_status 2 "unknown option is a usage error" timesView -x

expect_status 0 "no PICKLED-TIMES: exit 0" timesView --root "$R"
stdout_has 'No last-update time recorded' "no PICKLED-TIMES: said so"

# Entries in no particular order, as an operator might have edited them.
cat > "$R/stats/PICKLED-TIMES" <<'EOF'
# written by hand
pds6 tx_amis 2006-10-08 05:00:00
pds5 tx_metser 2006-10-08 03:00:00
pds5 rx_ncp1 2006-10-08 04:00:00
pds5 tx_amis 2006-10-08 02:00:00
pds5 tx_a-very.long_client_name 2006-10-07 23:00:00
EOF
expect_status 0 "a table of 5 entries" timesView --root "$R"
cp "$TMPROOT/.out" "$TMPROOT/table"
rows=$(grep -E '^# [a-z]' "$TMPROOT/table" | grep -v Machine | sed 's/^# //; s/ *#$//; s/ *| */|/g')
want="pds5|rx_ncp1|2006-10-08 04:00:00
pds5|tx_a-very.long_client_name|2006-10-07 23:00:00
pds5|tx_amis|2006-10-08 02:00:00
pds5|tx_metser|2006-10-08 03:00:00
pds6|tx_amis|2006-10-08 05:00:00"
if [ "$rows" = "$want" ]; then ok "rows sorted by machine, then fileType_client"; else fail "rows sorted by machine, then fileType_client"; echo "$rows" | sed 's/^/#   /'; fi
stdout_has '^# Machine +\| FileType_client +\| Last update +#$' "header row"
widths=$(awk '{ print length($0) }' "$TMPROOT/table" | sort -u | wc -l)
[ "$widths" = 1 ] && ok "every line of the box has the same width" || fail "every line of the box has the same width"
n=$(grep -c '^#####' "$TMPROOT/table")
[ "$n" = 3 ] && ok "boxed with # rules" || fail "boxed with # rules ($n)"

# --config moving the stats tree; PXROOT as --root.
mkdir -p "$TMPROOT/elsewhere"
printf 'pdsX tx_other 2006-01-01 00:00:00\n' > "$TMPROOT/elsewhere/PICKLED-TIMES"
printf '[paths]\nstatsdir = %s\n' "$TMPROOT/elsewhere" > "$TMPROOT/moved.conf"
expect_status 0 "--config with [paths] statsdir" timesView --root "$R" --config "$TMPROOT/moved.conf"
stdout_has '^# pdsX +\| tx_other +\| 2006-01-01 00:00:00 #$' "--config: the other tree's table"
expect_status 0 "PXROOT selects the root" env PXROOT="$R" timesView
stdout_has 'tx_metser' "PXROOT: the root's table"

# A damaged line: the file and the line are named, exit 1.
printf 'pds5 tx_amis 2006-10-08 02:00:00\npds5 tx_bad not-a-date\n' > "$R/stats/PICKLED-TIMES"
expect_status 1 "a damaged PICKLED-TIMES: exit 1" timesView --root "$R"
stderr_has "^timesView: $R/stats/PICKLED-TIMES:2: " "damaged: file and line named"
expect_status 1 "a missing --config file: exit 1" timesView --root "$R" --config "$TMPROOT/none.conf"
stderr_has "none.conf" "missing config: named"

# The table after setLastUpdate shows what it set.
rm -f "$R/stats/PICKLED-TIMES"
: > "$R/log/tx_amis.log"; : > "$R/log/tx_zulu.log"
setLastUpdate --root "$R" -m pds7 -c amis,zulu -f tx "2006-10-08 07:45:00" 2>/dev/null
expect_status 0 "table after setLastUpdate" timesView --root "$R"
stdout_has '^# pds7 +\| tx_amis +\| 2006-10-08 07:00:00 #$' "setLastUpdate's entries shown (rounded to the hour)"
stdout_has '^# pds7 +\| tx_zulu +\| 2006-10-08 07:00:00 #$' "both named clients shown"
