# pickleView: the human report and --json of real snapshots; damaged
# snapshots refused with the file named; the numbers of a snapshot collected
# by statsUpdater from a hand-written log against python3 arithmetic on the
# same log.
. "$(dirname "$0")/lib.sh"

R=$(newroot)
S=$TMPROOT/snaps
mkdir -p "$S"
START="2006-10-08 00:00:00"

# ---- usage ----
expect_status 0 "pickleView -h exits 0" pickleView -h
stdout_has '^usage: pickleView \[--json\]' "-h prints the usage on stdout"
# The SYNOPSIS of the troff source, macros dropped (no man(1) needed).
synopsis=$(awk '/^\.SH SYNOPSIS/{on=1;next} /^\.SH/{on=0} on' "$TOP/man/pickleView.1" |
    sed -e 's/^\.[A-Z]*[ ]*//' -e 's/ //g' -e 's/\\-/-/g' -e 's/\\(dq/"/g' | tr '\n' ' ' | sed 's/ $//')
if [ "usage: $synopsis" = "$(head -n 1 "$TMPROOT/.out")" ]; then ok "man SYNOPSIS = first usage line"; else fail "man SYNOPSIS = first usage line ($synopsis)"; fi
expect_status 2 "no file is a usage error" pickleView
stderr_has '^pickleView: no snapshot file given' "usage error says why"
expect_status 2 "unknown option is a usage error" pickleView --bogus x

# ---- a snapshot built from rows ----
cat > "$TMPROOT/rows" <<'EOF'
# time bytes latency product error
2006-10-08 00:00:36 130 5 SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20061008000031 0
2006-10-08 00:00:37 7124 20 SXUS23_KWBC_080024_RRX:ncp2:KWBC:SX:3:Direct:20061008000017 0
1160265638 0 0 - 1
2006-10-08 00:59:10 100 1 caf\0303\0251:b:c:d:e:f:20061008005909 0
2006-10-08 00:59:11 300 2 A:b:c:d:e:f:20061008005909 0
2006-10-08 00:59:12 301 30 A:b:c:d:e:f:20061008005909 0
EOF
printf '%b' "$(cat "$TMPROOT/rows")" > "$TMPROOT/rows.bin"
mkrowsnap "$S/pds5_00" --client amis --machine pds5 --ft tx --start "$START" \
    --file /apps/px/log/tx_amis.log --malformed 2 < "$TMPROOT/rows.bin"
check "mkrowsnap writes a snapshot" test -s "$S/pds5_00"

expect_status 0 "human report of a good snapshot" pickleView "$S/pds5_00"
cp "$TMPROOT/.out" "$TMPROOT/report"
stdout_has "^Snapshot +: $S/pds5_00\$" "report names the file"
stdout_has '^Files used +: tx_amis.log$' "report: files used"
stdout_has '^Start +: 2006-10-08 00:00:00$' "report: start"
stdout_has '^Interval +: 1 minute\(s\)$' "report: interval"
stdout_has '^End +: 2006-10-08 01:00:00$' "report: end"
stdout_has '^nbEntries +: 60$' "report: nbEntries"
stdout_has '^Malformed lines : 2$' "report: malformed lines"
n=$(grep -c '^Entry ' "$TMPROOT/report")
[ "$n" = 60 ] && ok "report: 60 entries" || fail "report: 60 entries ($n)"
stdout_has '^  Files : 2   Over max latency : 1   Errors : 1$' "report: entry 0 counts"
stdout_has '^  Means    : latency 12.5  bytecount 3627$' "report: means"
stdout_has '^  Medians  : latency 2  bytecount 300$' "report: medians (odd count)"
stdout_has '^  Maximums : latency 30 \(A:b:c:d:e:f:20061008005909 at 2006-10-08 00:59:12\)' "report: maximum with its product and time"
stdout_has '^  Total    : latency 25  bytecount 7254  errors 1$' "report: totals"
stdout_has '^    2006-10-08 00:00:38  error$' "report: error row"

expect_status 0 "--json of a good snapshot" pickleView --json "$S/pds5_00"
cp "$TMPROOT/.out" "$TMPROOT/json"
if python3 - "$TMPROOT/json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1], encoding="utf-8"))
for k in ("client", "machine", "fileType", "start", "interval", "files", "malformed", "buckets"):
    assert k in o, k
assert o["client"] == "amis" and o["machine"] == "pds5" and o["fileType"] == "tx"
assert o["start"] == "2006-10-08 00:00:00" and o["interval"] == 1
assert o["files"] == ["tx_amis.log"] and o["malformed"] == 2
b = o["buckets"]
assert len(b) == 60
for i, x in enumerate(b):
    assert x["start"] == "2006-10-08 00:%02d:00" % i, x["start"]
    for t in ("latency", "bytecount"):
        assert set(("min", "max", "mean", "median", "total")) <= set(x[t]), x
    assert "total" in x["errors"]
b0, b59 = b[0], b[59]
assert b0["nbFiles"] == 2 and b0["filesOverMaxLatency"] == 1 and b0["errors"]["total"] == 1
assert b0["latency"] == dict(b0["latency"], min=5, max=20, mean=12.5, median=12.5, total=25)
assert b0["bytecount"]["total"] == 7254 and type(b0["bytecount"]["total"]) is int
assert b59["latency"]["mean"] == 11.0 and b59["latency"]["median"] == 2
assert b59["bytecount"]["mean"] == 701 / 3 and b59["bytecount"]["minFile"] == "caf\u00e9:b:c:d:e:f:20061008005909"
empty = b[1]
assert empty["nbFiles"] == 0 and empty["errors"]["total"] == 0
assert all(empty[t][k] == 0 for t in ("latency", "bytecount") for k in ("min", "max", "mean", "median", "total"))
EOF
then ok "--json: contract keys, 60 buckets in order, exact values, zeros"; else fail "--json: contract keys, 60 buckets in order, exact values, zeros"; fi

# An rx snapshot with 5-minute buckets: 12 buckets, no latency values.
printf '2006-10-08 00:07:00 500 0 SA 0\n2006-10-08 00:08:00 100 0 SM 0\n' |
    mkrowsnap "$S/rx_00" --client ncp1 --machine pds5 --ft rx --start "$START" --interval 300
pickleView --json "$S/rx_00" > "$TMPROOT/rxjson" 2>&1
if python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
b = o["buckets"]
assert o["fileType"] == "rx" and o["interval"] == 5 and len(b) == 12
assert b[1]["start"] == "2006-10-08 00:05:00" and b[1]["nbFiles"] == 2
assert b[1]["latency"]["max"] == 0 and b[1]["bytecount"]["median"] == 300
' "$TMPROOT/rxjson"; then ok "--json of an rx snapshot with -i 5 buckets"; else fail "--json of an rx snapshot with -i 5 buckets"; fi

# ---- damaged snapshots ----
mkrowsnap "$S/future" --client amis --machine pds5 --ft tx --start "$START" --future-version < "$TMPROOT/rows.bin"
mkrowsnap "$S/corrupt" --client amis --machine pds5 --ft tx --start "$START" --flip-byte 40 < "$TMPROOT/rows.bin"
mkrowsnap "$S/whole" --client amis --machine pds5 --ft tx --start "$START" < "$TMPROOT/rows.bin"
size=$(wc -c < "$S/whole")
mkrowsnap "$S/truncated" --client amis --machine pds5 --ft tx --start "$START" --truncate $((size - 7)) < "$TMPROOT/rows.bin"
head -c 10 "$S/pds5_00" > "$S/short"
: > "$S/empty"
echo "not a snapshot at all, just some text" > "$S/text"
for f in future corrupt truncated short empty text; do
    expect_status 1 "$f snapshot refused (exit 1)" pickleView "$S/$f"
    stderr_has "^pickleView: $S/$f: " "$f snapshot: message names the file"
    if [ -s "$TMPROOT/.out" ]; then fail "$f snapshot: nothing printed"; else ok "$f snapshot: nothing printed"; fi
done
expect_status 1 "future version refused" pickleView "$S/future"
stderr_has 'version' "future version: the cause says version"
expect_status 1 "missing file refused" pickleView "$S/nonexistent"
stderr_has "$S/nonexistent" "missing file: message names it"

# Several files: the good ones are still printed, the status says a failure.
expect_status 1 "good and bad files: exit 1" pickleView --json "$S/pds5_00" "$S/corrupt" "$S/rx_00"
n=$(grep -c '^{"client"' "$TMPROOT/.out")
[ "$n" = 2 ] && ok "good and bad files: both good ones printed" || fail "good and bad files: both good ones printed ($n)"
stderr_has "$S/corrupt" "good and bad files: the bad one named"

# ---- a snapshot collected by statsUpdater, against independent arithmetic ----
L=$R/log/tx_amis.log
cat > "$L" <<'EOF'
2006-10-07 23:59:59,100 [INFO] (999 Bytes) Bulletin X_PREV:file:CWAO:SA:3:Direct:20061007235950  delivered
2006-10-08 00:00:05,616 [INFO] (130 Bytes) Bulletin SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20061008000001  delivered
2006-10-08 00:00:37,102 [INFO] (7124 Bytes) File /apps/px/txq/amis/3/2006100800/SXUS23_KWBC_080024_RRX:ncp2:KWBC:SX:3:Direct:20061008000002 delivered to ftp://pds@wxo-b1:/data/in/
2006-10-08 00:00:38,001 [ERROR] Unable to connect to wxo-b1: Connection refused
2006-10-08 00:00:39,000 [WARNING] (10 Bytes) retrying
2006-10-08 00:01:10,000 [INFO] (200 Bytes) Bulletin A_1:b:c:SA:3:Direct:20061008000110  delivered
2006-10-08 00:01:11,000 [INFO] (300 Bytes) Bulletin A_2:b:c:SA:3:Direct:20061008000112  delivered
2006-10-08 00:01:12,000 [INFO] (1234 Bytes) 1234 Bytes/sec throughput
2006-10-08 00:01:13,000 [INFO] (300 Bytes) Segment 3 of A_2:b:c:SA:3:Direct:20061008000112 sent
2006-10-08 00:02:00,000 [INFO] SEND TIMEOUT (100 Bytes) B_0:b:c:SA:3:Direct:20061008000000
2006-10-08 00:02:30,500 [INFO] (400 Bytes) Bulletin B_1:b:c:SA:3:Direct:20061007000000  delivered
2006-10-08 00:02:31,000 [DEBUG] (5 Bytes) Bulletin B_2:b:c:SA:3:Direct:20061008000231  delivered
Traceback (most recent call last):
  File "/apps/px/lib/sender.py", line 3, in send
IOError: [Errno 32] Broken pipe
2006-10-08 00:30:00,000 [INFO] (50 Bytes) Bulletin C_1:b:c:SA:3:Direct:20061008002950  delivered
2006-10-08 00:30:01,000 [INFO] (60 Bytes) Bulletin C_2:b:c:SA:3:Direct:20061008002950  delivered
2006-10-08 00:30:02,000 [INFO] (70 Bytes) Bulletin C_3:b:c:SA:3:Direct:20061008002950  delivered
2006-10-08 00:30:03,000 [INFO] (80 Bytes) Bulletin C_4:b:c:SA:3:Direct:20061008002950  delivered
2006-10-08 00:30:04,000 [INFO] (15 Bytes) Bulletin C_5:b:c:SA:3:Direct:20061008002949  delivered
2006-10-08 00:45:00,000 [ERROR] Unable to connect to wxo-b1: Connection timed out
2006-10-08 00:59:59,999 [INFO] (1 Bytes) Bulletin D_1:b:c:SA:3:Direct:20061008005900  delivered
2006-10-08 01:00:00,000 [INFO] (5 Bytes) Bulletin E_NEXT:b:c:SA:3:Direct:20061008005959  delivered
EOF
if [ -x "$BIN/statsUpdater" ]; then
    setLastUpdate --root "$R" -m pds5 -c amis -f tx "$START" 2>/dev/null
    expect_status 0 "statsUpdater collects the hand-written log" statsUpdater --root "$R" -m pds5 -c amis -f tx -d "2006-10-08 01:00:00"
    P=$R/stats/pickles/amis/20061008/tx/pds5_00
    expect_status 0 "pickleView --json of the collected hour" pickleView --json "$P"
    if python3 - "$L" "$TMPROOT/.out" <<'EOF'
# Independent arithmetic over the raw log (DESIGN.md section 3 rules).
import json, sys, calendar, time
def epoch(s, fmt): return calendar.timegm(time.strptime(s, fmt))
H0 = epoch("2006-10-08 00:00:00", "%Y-%m-%d %H:%M:%S")
buckets = [dict(lat=[], bytes=[], err=0) for _ in range(60)]
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    data = "[INFO]" in line and "Bytes" in line and not any(w in line for w in ("/sec", " Segment ", "SEND TIMEOUT"))
    err = "[ERROR]" in line
    if not (data or err): continue
    t = epoch(line.split(",")[0], "%Y-%m-%d %H:%M:%S")
    if not H0 <= t < H0 + 3600: continue
    b = buckets[(t - H0) // 60]
    if err: b["err"] += 1; continue
    nbytes = int(line[line.index("(") + 1:line.index(" Bytes")])
    name = line.split(" ")[6].split("/")[-1]
    recv = epoch(name.split(":")[6], "%Y%m%d%H%M%S")
    b["lat"].append(max(0, t - recv)); b["bytes"].append(nbytes)
def stats(v):
    if not v: return dict(min=0, max=0, mean=0, median=0, total=0)
    s = sorted(v); n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return dict(min=min(v), max=max(v), mean=sum(v) / n, median=med, total=sum(v))
o = json.load(open(sys.argv[2]))
assert len(o["buckets"]) == 60
bad = 0
for i, (want, got) in enumerate(zip(buckets, o["buckets"])):
    exp = dict(nbFiles=len(want["lat"]), filesOverMaxLatency=sum(1 for x in want["lat"] if x > 15),
               latency=stats(want["lat"]), bytecount=stats(want["bytes"]), errors=want["err"])
    have = dict(nbFiles=got["nbFiles"], filesOverMaxLatency=got["filesOverMaxLatency"],
                latency={k: got["latency"][k] for k in exp["latency"]},
                bytecount={k: got["bytecount"][k] for k in exp["bytecount"]},
                errors=got["errors"]["total"])
    if exp != have:
        bad += 1; print("# bucket %d: want %s\n#   got %s" % (i, exp, have))
sys.exit(1 if bad else 0)
EOF
    then ok "collected hour = independent arithmetic, every bucket"; else fail "collected hour = independent arithmetic, every bucket"; fi
    stdout_has '"files":\["tx_amis.log"\]' "collected hour: files used"
    expect_status 0 "human report of the collected hour" pickleView "$P"
    stdout_has '^  Files : 5   Over max latency : 0$|^  Files : 5   Over max latency : 0   Errors : 0$' "collected hour: minute 30 has 5 files"
else
    fail "statsUpdater is not built: the collected-hour cases cannot run"
fi
