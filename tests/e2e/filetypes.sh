#!/bin/sh
# tx and rx never share a file (issue 13, row d, rule 3): a tx client and an rx
# source both named wxo get databases, graphs, daily, weekly and 24 h images
# of their own; each archive equals the arithmetic (python3) on the lines
# loggen wrote; an rx graph of a tx-only client is an error. A machine list
# never names a machine twice (row e, rule 4): every program refuses it,
# from the command line and from the config, with exit 2.
. "$(dirname "$0")/lib.sh"

S0="2026-11-26 00:00:00"      # a Thursday
T0=$(date -u -d "$S0" +%s)
iso() { date -u -d "@$1" '+%Y-%m-%d %H:%M:%S'; }
E=$(iso $((T0 + 3 * 3600)))
R=$(newroot); S=$R/stats
loggen --logdir "$R/log" --machines m1 --names wxo,amis --source-names wxo --start "$S0" \
    --hours 3 --rate 400 --seed 5 --truth "$TMPROOT/truth" -q
setLastUpdate --root "$R" -m m1 -f tx -c wxo,amis "$S0" >/dev/null
setLastUpdate --root "$R" -m m1 -f rx -c wxo "$S0" >/dev/null
statsUpdater --root "$R" -m m1 -f tx --logdir "$R/log" -d "$E" >/dev/null 2>&1
statsUpdater --root "$R" -m m1 -f rx --logdir "$R/log" -d "$E" >/dev/null 2>&1
# rx first, as the original's bug wanted it: the tx run then found rx's files.
expect_status 0 "rrdTransfer -f rx feeds the source wxo" rrdTransfer --root "$R" -f rx -m m1 -e "$E"
(cd "$S/databases" && find rx -type f | sort | xargs md5sum) > "$TMPROOT/rx.before"
expect_status 0 "rrdTransfer -f tx feeds the client wxo" rrdTransfer --root "$R" -f tx -m m1 -e "$E"
stdout_has "fed 10 databases .*10 created" "the tx run creates the five databases of each client, none found"
(cd "$S/databases" && find rx -type f | sort | xargs md5sum) > "$TMPROOT/rx.after"
same_files "the tx run leaves the rx databases untouched" "$TMPROOT/rx.before" "$TMPROOT/rx.after"
for t in latency bytecount errors filecount filesOverMaxLatency; do
    check "tx database $t of wxo" test -s "$S/databases/tx/$t/wxo_m1"
done
for t in bytecount errors filecount; do
    check "rx database $t of wxo" test -s "$S/databases/rx/$t/wxo_m1"
done
check "no rx latency database" test ! -e "$S/databases/rx/latency/wxo_m1"

# Each archive, read by rrdtool, against the lines loggen wrote.
cat > "$TMPROOT/expect.py" <<'PY'
import math, subprocess, sys
truth, db, name, typ, start, end = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
rows = {}
for line in open(truth):
    f = line.split()
    if f[1] != name:
        continue
    m = int(f[2]) // 60 * 60 + 60        # the minute's end stamps its value
    rows.setdefault(m, []).append(f[3:])
out = subprocess.run(["rrdtool", "fetch", db, "AVERAGE", "-r", "60", "-s", str(start), "-e", str(end)],
                     capture_output=True, text=True, check=True).stdout
bad = n = 0
for line in out.splitlines():
    h = line.split(":")[0].strip()
    if not h.isdigit() or not start < int(h) <= end:
        continue
    t, v = int(h), float(line.split(":")[1])
    r = rows.get(t, [])
    d = [x for x in r if x[0] == "D"]
    lat = [int(x[2]) for x in d]
    want = {"latency": sum(lat) / len(lat) if lat else 0.0, "bytecount": float(sum(int(x[1]) for x in d)),
            "errors": float(len(r) - len(d)), "filecount": float(len(d)),
            "filesOverMaxLatency": float(sum(1 for l in lat if l > 15))}[typ]
    n += 1
    if math.isnan(v) or abs(v - want) > 1e-6 * (1 + abs(want)):
        bad += 1
        if bad < 4: print("%s %s at %d: %r, want %r" % (name, typ, t, v, want))
sys.exit(1 if bad or n != (end - start) // 60 else 0)
PY
for t in latency bytecount errors filecount filesOverMaxLatency; do
    check "tx wxo $t equals the tx lines" python3 "$TMPROOT/expect.py" "$TMPROOT/truth" "$S/databases/tx/$t/wxo_m1" tx_wxo $t $T0 $((T0 + 3 * 3600))
done
for t in bytecount errors filecount; do
    check "rx wxo $t equals the rx lines" python3 "$TMPROOT/expect.py" "$TMPROOT/truth" "$S/databases/rx/$t/wxo_m1" rx_wxo $t $T0 $((T0 + 3 * 3600))
done

# Graphs and images: one of each per file type.
expect_status 0 "rrdGraph -f rx of the source wxo" rrdGraph --root "$R" -f rx -c wxo --machines m1 -d --date "$E"
expect_status 0 "rrdGraph -f tx of the client wxo" rrdGraph --root "$R" -f tx -c wxo --machines m1 -d --date "$E"
check "the rx graph is under graphs/rx" test -s "$S/graphs/rx/wxo/rrdgraphs/rx_wxo_20261126_03:00:00_bytecount_1days_on_m1.png"
check "the tx graph is under graphs/tx" test -s "$S/graphs/tx/wxo/rrdgraphs/tx_wxo_20261126_03:00:00_bytecount_1days_on_m1.png"
expect_status 1 "rrdGraph -f rx of the tx client amis (no rx archive) is an error" rrdGraph --root "$R" -f rx -c amis --machines m1 -d --date "$E"
stderr_has "no rx archive of source 'amis' for machines 'm1'" "and says so"
for f in tx rx; do
    rrdGraph --root "$R" -f $f -c wxo --machines m1 -w -l --date "$E" -t bytecount >/dev/null 2>&1
    graphGen --root "$R" -f $f -c wxo -m m1 -l -s 24 -d "$E" >/dev/null 2>&1
done
W=$(date -u -d "2026-11-23" +%W)
check "weekly images of each file type" test -s "$S/webGraphics/weekly/tx/bytecount/wxo/$W.png" -a -s "$S/webGraphics/weekly/rx/bytecount/wxo/$W.png"
check "and they are not the same image" sh -c "! cmp -s '$S/webGraphics/weekly/tx/bytecount/wxo/$W.png' '$S/webGraphics/weekly/rx/bytecount/wxo/$W.png'"
check "24 h images of each file type" test -s "$S/webGraphics/columbo/tx/wxo.png" -a -s "$S/webGraphics/columbo/rx/wxo.png"
printf '[databases]\nmachineNames = m1\n' > "$R/etc/pxstats.conf"
expect_status 0 "webPages --images and the pages" env PXS_NOW="2026-11-26 03:10:00" webPages --root "$R" --images
expect_status 0 "webPages" env PXS_NOW="2026-11-26 03:10:00" webPages --root "$R"
check "daily images of each file type" test -s "$S/webGraphics/daily/tx/wxo/Thu.png" -a -s "$S/webGraphics/daily/rx/wxo/Thu.png"
pd=$S/webPages/dailyGraphs.html
rx=$(sed -n '/graphics for RX sources/,/graphics for TX clients/p' "$pd"); tx=$(sed -n '/graphics for TX clients/,$p' "$pd")
check "the RX row of wxo links the rx images only" sh -c "echo '$rx' | grep -q 'daily/rx/wxo/Thu.png' && ! echo '$rx' | grep -q 'daily/tx/'"
check "the TX row of wxo links the tx images only" sh -c "echo '$tx' | grep -q 'daily/tx/wxo/Thu.png' && ! echo '$tx' | grep -q 'daily/rx/'"
check "amis is a tx client only" sh -c "echo '$tx' | grep -q '>amis<' && ! echo '$rx' | grep -q '>amis<'"

# A machine named twice: refused everywhere, exit 2, nothing made.
R2=$(newroot)
mksnap "$R2/stats" c1 tx m1 "$S0" 1
for cmd in "rrdTransfer -m m1,m1" "rrdTransfer -m m1;m1" "rrdTransfer -m m1,m2;m2" "rrdTransfer -m a,bc;ab,c" \
           "rrdGraph --machines m1,m1 -d" "graphGen -c c1 -m m1,m1" "pickleMerge -c c1 -m m1,m1"; do
    # shellcheck disable=SC2086
    expect_status 2 "$cmd is refused (exit 2)" $cmd --root "$R2"
done
check "no database was made" test ! -e "$R2/stats/databases"
printf '[databases]\nmachineNames = m1,m1\n' > "$R2/etc/pxstats.conf"
expect_status 2 "rrdTransfer refuses [databases] machineNames = m1,m1" rrdTransfer --root "$R2"
stderr_has "\\[databases\\] machineNames: machine 'm1' named twice" "naming the key"
expect_status 2 "webPages --images refuses it" webPages --root "$R2" --images --dry-run
printf '[graphics]\nlogFilesMachines = m1,m2;m1\npicklingMachines = p;p;p\n' > "$R2/etc/pxstats.conf"
expect_status 2 "launchGraphs refuses [graphics] logFilesMachines = m1,m2;m1" launchGraphs --root "$R2" --dry-run
expect_status 2 "statsMonitor refuses it too (the same parser)" statsMonitor --root "$R2" --stdout
check "no database was made from the config either" test ! -e "$R2/stats/databases"
