#!/bin/sh
# rrdGraph end to end: PNGs of the stated size, named as in the seed; their
# comment's minimum, maximum and mean equal the arithmetic (python3) on what
# `rrdtool fetch` reads; totals, the web copy, workers, a graph drawn during a
# feed, time zones, usage.
. "$(dirname "$0")/lib.sh"

R=$(newroot); S=$R/stats
D=2006-10-08
mksnap -s "$D 01:10:00/$D 01:40:00" "$S" amis tx pds5 "$D 00:00:00" 10
mksnap "$S" amis tx pds5 "$D 12:00:00" 10
mksnap -s "$D 03:00:00/$D 03:05:00" "$S" metser tx pds5 "$D 00:00:00" 20
rrdTransfer --root "$R" -m pds5 -e "2006-10-09 00:00:00" >/dev/null
END="2006-10-09 00:00:00"
TEND=$(date -u -d "$END" +%s)

cat > "$TMPROOT/comment.py" <<'PY'
import sys, subprocess, math
# comment.py TYPE START END STEP DB...  -> the comment the graph must carry
typ, start, end, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
cols = []
for db in sys.argv[5:]:
    out = subprocess.run(["rrdtool", "fetch", db, "AVERAGE", "-r", str(step), "-s", str(start),
                          "-e", str(end)], capture_output=True, text=True, check=True).stdout
    vals = {}
    for line in out.splitlines():
        head = line.split(":")[0].strip()
        if head.isdigit() and start < int(head) <= end:
            vals[int(head)] = float(line.split(":")[1])
    cols.append(vals)
points = []
for t in sorted(cols[0]):
    known = [c[t] for c in cols if not math.isnan(c[t])]
    if known:
        points.append(sum(known) / len(known) if typ == "latency" else sum(known))
factor = 1 if typ == "latency" else step / 60
points = [p * factor for p in points]
def fmt(v):
    if typ == "latency": return "%.2f" % v
    if typ != "bytecount": return "%.0f" % v
    for lim, unit, div in ((1e3, "Bytes", 1), (1e6, "KiloBytes", 1e3), (1e9, "MegaBytes", 1e6)):
        if v < lim: return "%.0f Bytes" % v if div == 1 else "%.2f %s" % (v / div, unit)
    return "%.2f GigaBytes" % (v / 1e9)
print("Minimum: %s     Maximum: %s     Mean: %.2f" % (fmt(min(points)), fmt(max(points)),
      sum(points) / len(points)))
PY
cat > "$TMPROOT/pngsize.py" <<'PY'
import sys, struct
for p in sys.argv[1:]:
    b = open(p, "rb").read(24)
    assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", p
    print("%dx%d" % struct.unpack(">II", b[16:24]))
PY
comment_of() { grep -F "$1: " "$TMPROOT/.out" | sed "s|^.*\.png: ||"; }
want() { python3 "$TMPROOT/comment.py" "$@"; }

IMG="$S/graphs/tx/amis/rrdgraphs/tx_amis_20061009_00:00:00"
expect_status 0 "a daily graph of every type" rrdGraph --root "$R" -c amis --machines pds5 -d --date "$END" -v
for t in latency bytecount errors filecount filesOverMaxLatency; do
    check "daily $t image is named as in the seed" test -s "${IMG}_${t}_1days_on_pds5.png"
done
check "the images are 800x200 PNGs" test "$(python3 "$TMPROOT/pngsize.py" "$IMG"_*_1days_on_pds5.png | sort -u)" = "800x200"
for t in latency bytecount filecount; do
    got=$(comment_of "${IMG}_${t}_1days_on_pds5.png")
    exp=$(want $t $((TEND - 86400)) "$TEND" 60 "$S/databases/tx/$t/amis_pds5")
    if [ "$got" = "$exp" ]; then ok "daily $t comment equals the fetched arithmetic"; else fail "daily $t comment: '$got' != '$exp'"; fi
done

expect_status 0 "a weekly graph" rrdGraph --root "$R" -c amis --machines pds5 -w --date "$END" -t bytecount,filecount -v
for t in bytecount filecount; do
    got=$(comment_of "${IMG}_${t}_7days_on_pds5.png")
    exp=$(want $t $((TEND - 7 * 86400)) "$TEND" 3600 "$S/databases/tx/$t/amis_pds5")
    if [ "$got" = "$exp" ]; then ok "weekly $t comment is scaled hourly averages"; else fail "weekly $t comment: '$got' != '$exp'"; fi
done
expect_status 0 "monthly and yearly graphs" sh -c "rrdGraph --root '$R' -c amis --machines pds5 -m --date '$END' -t errors &&
    rrdGraph --root '$R' -c amis --machines pds5 -y --date '$END' -t errors"
check "monthly and yearly names" test -s "${IMG}_errors_1months_on_pds5.png" -a -s "${IMG}_errors_1years_on_pds5.png"
expect_status 0 "-s HOURS graphs any span" rrdGraph --root "$R" -c amis --machines pds5 -s 36 --date "$END" -t errors
check "-s 36 is named 36hours" test -s "${IMG}_errors_36hours_on_pds5.png"

expect_status 0 "--totals sums all the clients" rrdGraph --root "$R" --machines pds5 -d --date "$END" --totals -t filecount,latency -v
for t in filecount latency; do
    got=$(comment_of "$S/graphs/tx/tx/rrdgraphs/tx_tx_20061009_00:00:00_${t}_1days_on_pds5.png")
    exp=$(want $t $((TEND - 86400)) "$TEND" 60 "$S/databases/tx/$t/amis_pds5" "$S/databases/tx/$t/metser_pds5")
    if [ "$got" = "$exp" ]; then ok "totals $t comment equals the arithmetic of both clients"; else fail "totals $t: '$got' != '$exp'"; fi
done
check "--totals leaves no temporary database" test ! -e "$S/databases/combined"

expect_status 0 "-l copies into the web tree" rrdGraph --root "$R" -c amis --machines pds5 -w --date "$END" -t errors -l
# END is Monday 2006-10-09 00:00: the week drawn is the one it ends, named by its Monday.
W=$(date -u -d "2006-10-02" +%W)
same_files "the web copy is the same image" "${IMG}_errors_7days_on_pds5.png" "$S/webGraphics/weekly/tx/errors/amis/$W.png"
cat > "$TMPROOT/span.py" <<'PY'
import sys, struct
d = open(sys.argv[1], "rb").read()
p = 8
while p + 8 <= len(d):
    n, t = struct.unpack(">I4s", d[p:p + 8])
    if t == b"tEXt" and d[p + 8:p + 8 + n].startswith(b"pxstats-span\0"):
        print(d[p + 8 + 13:p + 8 + n].decode()); break
    p += n + 12
PY
check "the web copy says it covers that week exactly" \
    test "$(python3 "$TMPROOT/span.py" "$S/webGraphics/weekly/tx/errors/amis/$W.png")" = "2006-10-02 00:00:00/2006-10-09 00:00:00"
rrdGraph --root "$R" -c amis --machines pds5 -y --date "$END" -t errors -l >/dev/null 2>&1
check "a yearly graph goes under yearly/<ft>/<type>/<client>/<year>.png" test -s "$S/webGraphics/yearly/tx/errors/amis/2006.png"
check "the yearly copy covers the calendar year 2006" \
    test "$(python3 "$TMPROOT/span.py" "$S/webGraphics/yearly/tx/errors/amis/2006.png")" = "2006-01-01 00:00:00/2007-01-01 00:00:00"
expect_status 2 "-l with -d is a usage error (the pages have no daily rrd graphs)" \
    rrdGraph --root "$R" -c amis --machines pds5 -d --date "$END" -l

R2=$(newroot)
cp -r "$S/databases" "$S/DATABASE-UPDATES" "$R2/stats/"
expect_status 0 "-j 3 draws every client (All) and type" rrdGraph --root "$R2" --machines pds5 -d --date "$END" -j 3
check "ten images, 800x200" test "$(python3 "$TMPROOT/pngsize.py" "$R2"/stats/graphs/tx/*/rrdgraphs/*.png | grep -c 800x200)" = 10
check "-j 3 draws the same images as one process" cmp "$R2/stats/graphs/tx/amis/rrdgraphs/tx_amis_20061009_00:00:00_latency_1days_on_pds5.png" \
    "${IMG}_latency_1days_on_pds5.png"

cp "${IMG}_latency_1days_on_pds5.png" "$TMPROOT/utc.png"
TZ=Asia/Tokyo rrdGraph --root "$R" -c amis --machines pds5 -d --date "$END" -t latency >/dev/null 2>&1
check "graphs are drawn in UTC whatever TZ says" cmp "$TMPROOT/utc.png" "${IMG}_latency_1days_on_pds5.png"

# A feed holding the database's lock makes the graph wait, not fail.
python3 -c '
import fcntl, sys, time
f = open(sys.argv[1], "r+b"); fcntl.lockf(f, fcntl.LOCK_EX); open(sys.argv[2], "w").close(); time.sleep(2)
' "$S/databases/tx/errors/amis_pds5" "$TMPROOT/locked" &
lockpid=$!
i=0; while [ ! -e "$TMPROOT/locked" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
expect_status 0 "a graph drawn while the database is locked waits for it" \
    rrdGraph --root "$R" -c amis --machines pds5 -d --date "$END" -t errors
wait $lockpid

expect_status 1 "a client without databases fails" rrdGraph --root "$R" -c ghost --machines pds5 -d --date "$END" -t errors
stderr_has "ghost_pds5" "naming the database"
expect_status 1 "an rx graph of a tx client (no rx archive) is an error" rrdGraph --root "$R" -f rx -c amis --machines pds5 -d --date "$END"
stderr_has "no rx archive of source 'amis' for machines 'pds5'" "saying there is no rx archive"
check "and draws nothing" test ! -e "$S/graphs/rx"
expect_status 2 "a machine named twice is a usage error" rrdGraph --root "$R" -c amis --machines pds5,pds5 -d
expect_status 2 "no span is a usage error" rrdGraph --root "$R" -c amis --machines pds5
expect_status 2 "two spans are a usage error" rrdGraph --root "$R" -c amis --machines pds5 -d -w
expect_status 2 "latency of an rx source is a usage error" rrdGraph --root "$R" -f rx -t latency -d
expect_status 0 "-h prints the usage" rrdGraph -h
stdout_has '^usage: rrdGraph' "the usage is on stdout"
