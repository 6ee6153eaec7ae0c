#!/bin/sh
# graphGen: gnuplot graphs from the snapshots statsUpdater makes of logs
# written here. The plotted numbers (--script) are checked against plain
# arithmetic over the log lines (the python below), with and without -p,
# across a machine merge, and with -n on a partial hour; the PNGs decode at
# the expected size; --all, -l, no data, a missing gnuplot and bad options.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
G="$BIN/graphGen --root $R"

# ---- logs: two machines, client amis, hours 10 and 11 and a bit of 12 -----
# Lines made by a fixed generator; the checker below reads the log text only.
cat > "$TMPROOT/mklogs.py" <<'EOF'
import random, sys
root = sys.argv[1]
rnd = random.Random(5)
def line(t, size, prod, lat):
    rec = t - lat
    stamp = "%04d%02d%02d%02d%02d%02d" % (2026, 11, 28, rec // 3600, rec // 60 % 60, rec % 60)
    hh, mm, ss = t // 3600, t // 60 % 60, t % 60
    return ("2026-11-28 %02d:%02d:%02d,%03d [INFO] (%d Bytes) File /apps/px/txq/amis/3/x/"
            "%s:ncp1:CWAO:SA:3:Direct:%s delivered to ftp://wxo@host:/in/\n"
            % (hh, mm, ss, rnd.randrange(1000), size, prod, stamp))
for m, n in (("pds5", 300), ("pds6", 250)):
    times = sorted(rnd.randrange(10 * 3600, 12 * 3600 + 50 * 60) for _ in range(n))
    # Exact cases: latency 15 (not late), 16 (late); minute 59; a tie of both machines.
    times += [10 * 3600 + 59 * 60 + 59, 11 * 3600 + 30 * 60]
    times.sort()
    out = []
    for t in times:
        if rnd.randrange(20) == 0:
            hh, mm, ss = t // 3600, t // 60 % 60, t % 60
            out.append("2026-11-28 %02d:%02d:%02d,000 [ERROR] Unable to connect to host: refused\n"
                       % (hh, mm, ss))
            continue
        prod = "%s_CWAO_%02d" % (rnd.choice(["SACN31", "FTCN43", "SXUS23"]), rnd.randrange(60))
        lat = rnd.choice([0, 1, 3, 15, 16, 40, rnd.randrange(30)])
        out.append(line(t, rnd.randrange(1, 3000000), prod, lat))
    with open("%s/log/%s/tx_amis.log" % (root, m), "w") as f:
        f.writelines(out)
EOF
mkdir -p "$R/log/pds5" "$R/log/pds6"
python3 "$TMPROOT/mklogs.py" "$R"

# ---- the checker: expected panels from the log text, compared with --script --
cat > "$TMPROOT/gcheck.py" <<'EOF'
"""gcheck SCRIPT START END PRODUCT LOG... : the --script output against the logs.
START/END: epoch window; PRODUCT: substring or "All". Exit 0 when equal."""
import calendar, re, sys
script, start, end, product = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def epoch(s):
    return calendar.timegm((int(s[0:4]), int(s[5:7]), int(s[8:10]), int(s[11:13]), int(s[14:16]), int(s[17:19])))
rows = []                                   # (time, machine order, seq, bytes, latency, product, error)
for mi, path in enumerate(sys.argv[5:]):
    for seq, ln in enumerate(open(path)):
        t = epoch(ln.split(",")[0])
        if not (t // 60 * 60 + 60 > start and t < end):   # buckets overlapping the window
            continue
        if "[ERROR]" in ln:
            rows.append((t, mi, seq, 0, 0, "", 1))
            continue
        size = int(ln[ln.index("(") + 1:ln.index(" Bytes")])
        name = ln.split(" ")[6].split("/")[-1]
        rec = name.split(":")[6]
        lat = max(0, t - calendar.timegm((int(rec[0:4]), int(rec[4:6]), int(rec[6:8]), int(rec[8:10]), int(rec[10:12]), int(rec[12:14]))))
        rows.append((t, mi, seq, size, lat, name, 0))
rows.sort()
if product != "All":
    rows = [r for r in rows if r[6] or product in r[5]]
minutes = {}
for r in rows:
    minutes.setdefault(r[0] // 60 * 60, []).append(r)
text = open(script).read()
blocks = re.findall(r"^# panel (\d+): client=\S+ type=(\w+) [^\n]*\n\$p\d+ << EOD\n(.*?)^EOD$", text, re.S | re.M)
bad = 0
def differ(what, a, b):
    global bad
    if abs(a - b) > 1e-9 * max(1, abs(a)):
        print("%s: script %r, logs %r" % (what, a, b)); bad += 1
for k, typ, body in blocks:
    pts = [tuple(float(v) for v in l.split()) for l in body.splitlines()]
    xs = sorted(x for x in minutes)         # every drawn minute must be accounted for
    got = dict((int(x), y) for x, y in pts)
    for x, y in got.items():
        rs = [r for r in minutes.get(x, []) if not r[6]]
        if typ == "errors":
            want = len([r for r in minutes.get(x, []) if r[6]])
        elif typ == "bytecount":
            want = sum(r[3] for r in rs)
        else:
            want = sum(r[4] for r in rs) / len(rs) if rs else 0
        differ("panel %s %s at %d" % (k, typ, x), y, want)
    for x in xs:
        if x not in got:
            print("panel %s: minute %d with data not drawn" % (k, x)); bad += 1
    data = [r for r in rows if not r[6]]
    line = re.search(r"^# panel %s: .* files=(\d+) over=(\d+) errors=(\d+) bytes=(\S+)$" % k, text, re.M)
    differ("panel %s files" % k, int(line.group(1)), len(data))
    differ("panel %s over" % k, int(line.group(2)), len([r for r in data if r[4] > 15]))
    differ("panel %s errors" % k, int(line.group(3)), len(rows) - len(data))
    differ("panel %s bytes" % k, float(line.group(4)), sum(r[3] for r in data))
    ys = [y for _, y in pts]
    m = re.search(r"^# panel %s: .* points=(\d+) max=(\S+) mean=(\S+) min=(\S+) " % k, text, re.M)
    differ("panel %s max" % k, float(m.group(2)), max(ys))
    differ("panel %s mean" % k, float(m.group(3)), sum(ys) / len(ys))
    differ("panel %s min" % k, float(m.group(4)), min(ys))
    # The side labels: largest latency / file, first in time order.
    if typ in ("latency", "bytecount"):
        i = 4 if typ == "latency" else 3
        best = None
        for r in data:
            if best is None or r[i] > best[i]:
                best = r
        label = ("Max. lat. : %d (Seconds)" if typ == "latency" else "Size of largest file : %d (Bytes)") % best[i]
        if label not in text or best[5] not in text:
            print("panel %s: label %r or file %s missing" % (k, label, best[5])); bad += 1
    # The 95th percentile of the latencies: the smallest latency that at
    # least 95 % of the files do not exceed.
    if typ == "latency":
        lats = sorted(r[4] for r in data)
        p95 = next(v for v in lats if 100 * sum(1 for w in lats if w <= v) >= 95 * len(lats))
        label = "95th percentile lat. : %d (Seconds)" % p95
        if label not in text or not re.search(r"^# panel %s: .* p95=%d " % (k, p95), text, re.M):
            print("panel %s: %r missing" % (k, label)); bad += 1
print("%d panels checked, %d differences" % (len(blocks), bad))
sys.exit(1 if bad or not blocks else 0)
EOF

ep() { python3 -c 'import calendar,sys; s=sys.argv[1]; print(calendar.timegm((int(s[0:4]),int(s[5:7]),int(s[8:10]),int(s[11:13]),int(s[14:16]),int(s[17:19]))))' "$1"; }
T10=$(ep "2026-11-28 10:00:00"); T12=$(ep "2026-11-28 12:00:00")

# ---- snapshots through the real statsUpdater ------------------------------
for m in pds5 pds6; do
    for d in "2026-11-28 11:00:00" "2026-11-28 12:00:00"; do
        "$BIN/statsUpdater" --root "$R" -m $m -f tx -c amis -d "$d" >/dev/null 2>&1
    done
done
check "statsUpdater made the snapshots of both machines" \
    test -f "$R/stats/pickles/amis/20261128/tx/pds5_10" -a -f "$R/stats/pickles/amis/20261128/tx/pds6_11"

# ---- usage ----------------------------------------------------------------------
expect_status 0 "graphGen -h exits 0" $G -h
stdout_has '^usage: graphGen \[-c CLIENTS\]' "graphGen -h prints the usage on stdout"
expect_status 2 "a bad fileType is a usage error" $G -c amis -f xx
expect_status 2 "a bad type is a usage error" $G -c amis -t latency,bogus
expect_status 2 "latency of rx is a usage error" $G -c amis -f rx -t latency
expect_status 2 "--combine without --all is a usage error" $G -c amis --combine
expect_status 2 "no client is a usage error" $G -m pds5
expect_status 2 "an unsafe client name is a usage error" $G -c '../x' -m pds5
stderr_has "unsafe client name" "the unsafe name is named"

# ---- the plotted numbers ------------------------------------------------------
expect_status 0 "--script on merged machines" $G -c amis -m pds5,pds6 -d "2026-11-28 12:10:00" -s 2 --script
cp "$TMPROOT/.out" "$TMPROOT/merged.gp"
check "merged: every point and figure equals the log arithmetic" \
    python3 "$TMPROOT/gcheck.py" "$TMPROOT/merged.gp" "$T10" "$T12" All "$R/log/pds5/tx_amis.log" "$R/log/pds6/tx_amis.log"
check "merged: three panels, 120 points each" \
    test "$(grep -c '^# panel [0-9]*: .* points=120 ' "$TMPROOT/merged.gp")" -eq 3
check "merged: the title and side labels of the seed" grep -q \
    "set title 'Latency for amis for a span of 2 hours ending at 2026-11-28 12:00:00' . \"\\\\n\\\\n\" . 'MAX: " "$TMPROOT/merged.gp"
check "merged: machines label" grep -q "'Machines : pds5, pds6'" "$TMPROOT/merged.gp"
check "merged: over-15 label" grep -q "'# of files over 15 seconds: " "$TMPROOT/merged.gp"

expect_status 0 "--script with -p SACN" $G -c amis -m pds5,pds6 -d "2026-11-28 12:00:00" -s 2 -p SACN --script
cp "$TMPROOT/.out" "$TMPROOT/sacn.gp"
check "-p SACN: every point equals the arithmetic of the SACN rows" \
    python3 "$TMPROOT/gcheck.py" "$TMPROOT/sacn.gp" "$T10" "$T12" SACN "$R/log/pds5/tx_amis.log" "$R/log/pds6/tx_amis.log"
check "-p: product label" grep -q "'Product Type : SACN'" "$TMPROOT/sacn.gp"

expect_status 0 "--script on one machine" $G -c amis -m pds6 -d "2026-11-28 12:00:00" -s 2 --script
cp "$TMPROOT/.out" "$TMPROOT/one.gp"
check "one machine: equals the arithmetic of its log alone" \
    python3 "$TMPROOT/gcheck.py" "$TMPROOT/one.gp" "$T10" "$T12" All /dev/null "$R/log/pds6/tx_amis.log"

# -n: the window ends at "now" (12:30), the current hour comes from the logs
# (its lines after 12:30 are not drawn) and no snapshot is written for it.
expect_status 0 "-n --script at 12:30" \
    env PXS_NOW="2026-11-28 12:30:00" $G -c amis -m pds5,pds6 -s 2 -n --script
cp "$TMPROOT/.out" "$TMPROOT/now.gp"
check "-n: every point equals the arithmetic of the logs up to 12:30" \
    python3 "$TMPROOT/gcheck.py" "$TMPROOT/now.gp" "$(ep "2026-11-28 10:30:00")" "$(ep "2026-11-28 12:30:00")" All \
    "$R/log/pds5/tx_amis.log" "$R/log/pds6/tx_amis.log"
check "-n: the window ends at 12:30" grep -q 'ending at 2026-11-28 12:30:00' "$TMPROOT/now.gp"
check "-n: no snapshot written for the partial hour" test ! -e "$R/stats/pickles/amis/20261128/tx/pds5_12"

# ---- PNGs ------------------------------------------------------------------------
PNG="$R/stats/graphs/tx/amis/tx_amis_20261128_12:00:00_errors,bytecount,latency_2hours_on_pds5,pds6_forAllproducts.png"
expect_status 0 "a PNG of two machines with -l" $G -c amis -m pds5,pds6 -d "2026-11-28 12:00:00" -s 2 -l
stdout_has "forAllproducts.png" "the PNG's path is printed"
pngsize() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n" and d[12:16]==b"IHDR"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1" 2>/dev/null; }
check "the PNG has the seed's name and is 1280x1026 (3 panels)" test "$(pngsize "$PNG")" = 1280x1026
check "the PNG decodes (file)" sh -c "file '$PNG' | grep -q 'PNG image data, 1280 x 1026'"
if command -v convert >/dev/null 2>&1; then
    check "the PNG decodes whole (ImageMagick)" convert "$PNG" -format '%wx%h' info:
fi
# The copy is the graph with the span it shows in a tEXt chunk (the pages
# and the uploads only take an image drawn for their date or cycle).
cat > "$TMPROOT/unspan.py" <<'PY'
import sys, struct
d = open(sys.argv[1], "rb").read(); out = d[:8]; p = 8; span = ""
while p + 8 <= len(d):
    n, t = struct.unpack(">I4s", d[p:p + 8])
    if t == b"tEXt" and d[p + 8:p + 8 + n].startswith(b"pxstats-span\0"):
        span = d[p + 8 + 13:p + 8 + n].decode()
    else:
        out += d[p:p + n + 12]
    p += n + 12
open(sys.argv[2], "wb").write(out); print(span)
PY
span=$(python3 "$TMPROOT/unspan.py" "$R/stats/webGraphics/columbo/tx/amis.png" "$TMPROOT/unspanned.png" 2>/dev/null)
check "-l copied it to webGraphics/columbo/tx/amis.png" cmp -s "$PNG" "$TMPROOT/unspanned.png"
check "the copy carries the span it shows (2 hours ending 12:00)" test "$span" = "2026-11-28 10:00:00/2026-11-28 12:00:00"
check "nothing but the PNG in the graphs directory" test "$(ls -A "$R/stats/graphs/tx/amis" | wc -l)" -eq 1

expect_status 0 "two types, one machine" $G -c amis -m pds5 -t latency,errors -d "2026-11-28 12:00:00" -s 2
check "two panels: 1280x684" test "$(pngsize "$R/stats/graphs/tx/amis/tx_amis_20261128_12:00:00_latency,errors_2hours_on_pds5_forAllproducts.png")" = 1280x684

expect_status 0 "a product with quotes and backslashes is drawn" $G -c amis -m pds5 -d "2026-11-28 12:00:00" -s 2 -p 'SA"C\N'
check "its PNG exists (quotes dropped from the name)" test -f "$R/stats/graphs/tx/amis/tx_amis_20261128_12:00:00_errors,bytecount,latency_2hours_on_pds5_forSAC\\Nproducts.png"

expect_status 0 "a span without any snapshot is not an error" $G -c amis -m pds5 -d "2026-10-01 00:00:00" -s 12
NOD="$R/stats/graphs/tx/amis/tx_amis_20261001_00:00:00_errors,bytecount,latency_12hours_on_pds5_forAllproducts.png"
check "no data: one 1280x342 image" test "$(pngsize "$NOD")" = 1280x342
expect_status 0 "no data: --script" $G -c amis -m pds5 -d "2026-10-01 00:00:00" -s 12 --script
stdout_has "^set title 'No data for amis \\(tx\\) on pds5 for a span of 12 hours" "no data: a clear title"

printf '[graphics]\ngnuplot = /nonexistent/gnuplot\n' > "$R/etc/pxstats.conf"
expect_status 1 "a missing gnuplot exits 1" $G -c amis -m pds5 -d "2026-11-28 12:00:00" -s 3
stderr_has "gnuplot" "a missing gnuplot is named"
check "and leaves no PNG" test ! -e "$R/stats/graphs/tx/amis/tx_amis_20261128_12:00:00_errors,bytecount,latency_3hours_on_pds5_forAllproducts.png"
rm -f "$R/etc/pxstats.conf"

# ---- --all --------------------------------------------------------------------------
mkdir -p "$R/log/pds5"
printf '2026-11-28 10:00:05,000 [INFO] (500 Bytes) Ingested in DB as /apps/px/db/x/SACN31_CWAO:ncp1:CWAO:SA:3:Direct:20261128100000\n' > "$R/log/pds5/rx_cvt.log"
"$BIN/statsUpdater" --root "$R" -m pds5 -f rx -c cvt -d "2026-11-28 11:00:00" >/dev/null 2>&1
expect_status 0 "--all on two machines (combined) with -j 2" $G --all -m pds5,pds6 -d "2026-11-28 12:00:00" -s 2 -j 2
check "--all: the combined tx graph" test -f "$R/stats/graphs/tx/amis/tx_amis_20261128_12:00:00_errors,bytecount,latency_2hours_on_pds5,pds6_forAllproducts.png"
check "--all: the rx graph of the source" test -f "$R/stats/graphs/rx/cvt/rx_cvt_20261128_12:00:00_errors,bytecount_2hours_on_pds5,pds6_forAllproducts.png"
check "--all: quiet when not on a terminal" test ! -s "$TMPROOT/.err"
expect_status 0 "--all --individual" $G --all --individual -m pds5,pds6 -d "2026-11-28 12:00:00" -s 2
check "--individual: one graph per machine" test -f "$R/stats/graphs/tx/amis/tx_amis_20261128_12:00:00_errors,bytecount,latency_2hours_on_pds6_forAllproducts.png"
check "--individual: no rx graph where the source has no snapshot" test ! -e "$R/stats/graphs/rx/cvt/rx_cvt_20261128_12:00:00_errors,bytecount_2hours_on_pds6_forAllproducts.png"
printf '[graphics]\ngnuplot = /nonexistent/gnuplot\n' > "$R/etc/pxstats.conf"
expect_status 1 "--all with a missing gnuplot exits 1" $G --all -m pds5 -d "2026-11-28 12:00:00" -s 2
stderr_has "2 failed" "--all says how many failed"
rm -f "$R/etc/pxstats.conf"
if command -v script >/dev/null 2>&1; then
    script -qec "$G --all -m pds5,pds6 -d '2026-11-28 12:00:00' -s 2" /dev/null > "$TMPROOT/tty.out" 2>&1
    check "--all on a terminal: progress and a summary line" grep -q 'graphs drawn, 0 failed' "$TMPROOT/tty.out"
fi
