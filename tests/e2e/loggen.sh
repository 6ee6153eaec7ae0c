#!/bin/sh
# The sample log generator (build/tests/loggen) and the independent checker
# (tests/tools/pxcheck.py): the generator is deterministic, lays files out as a
# PX host rotates them, writes every kind of line it promises; pxcheck's
# numbers on handwritten logs are the hand-computed ones.
. "$(dirname "$0")/lib.sh"

LOGGEN=$TBIN/loggen
PXCHECK="python3 $TOP/tests/tools/pxcheck.py"
if [ ! -x "$LOGGEN" ]; then
    fail "loggen is built ($LOGGEN)"
    exit 1
fi
T=$TMPROOT

# ---- options ---------------------------------------------------------------
expect_status 0 "loggen -h exits 0" "$LOGGEN" -h
stdout_has '^usage: loggen --logdir DIR' "loggen -h prints the usage on stdout"
expect_status 2 "loggen with a bad option exits 2" "$LOGGEN" --logdir "$T/x" --bogus
expect_status 2 "loggen without --logdir exits 2" "$LOGGEN" --days 1
expect_status 2 "loggen refuses an unsafe name" "$LOGGEN" --logdir "$T/x" --names '../a'
expect_status 2 "loggen refuses a bad date" "$LOGGEN" --logdir "$T/x" --start "2026-13-01 00:00:00"

# ---- determinism -------------------------------------------------------------
gen_full() {   # $1 = dir, $2 = seed
    "$LOGGEN" -q --logdir "$1" --machines m1,m2 --clients 3 --sources 2 --days 7 --rate 400 \
        --seed "$2" --noise --gzip-rotated --misleading-names
}
gen_full "$T/a" 7 && gen_full "$T/b" 7 && gen_full "$T/c" 8
same_files "same seed, same options: identical trees (gz included)" "$T/a" "$T/b"
if diff -r "$T/a" "$T/c" >/dev/null 2>&1; then fail "another seed gives other logs"; else ok "another seed gives other logs"; fi
check "one directory per machine" test -f "$T/a/m1/tx_client001.log" -a -f "$T/a/m2/rx_source002.log"

# A shorter window's live file is a prefix of a longer one's (a growing log).
"$LOGGEN" -q --logdir "$T/g5" --clients 1 --sources 1 --start "2026-01-10 03:00:00" --hours 5 --noise
"$LOGGEN" -q --logdir "$T/g7" --clients 1 --sources 1 --start "2026-01-10 03:00:00" --hours 7 --noise
n5=$(wc -c < "$T/g5/tx_client001.log")
if [ "$n5" -gt 0 ] && cmp -s -n "$n5" "$T/g5/tx_client001.log" "$T/g7/tx_client001.log" &&
   [ "$(wc -c < "$T/g7/tx_client001.log")" -gt "$n5" ]; then
    ok "a longer window only appends to the live file"
else
    fail "a longer window only appends to the live file"
fi

# ---- rotation layout -----------------------------------------------------------
"$LOGGEN" -q --logdir "$T/rot" --clients 2 --sources 1 --start "2026-01-01 00:00:00" --days 8 \
    --rate 300 --gzip-rotated
# 8 days: the live file holds 2026-01-08, 5 rotated days are kept (03..07), 01 and 02 are gone.
expected="rx_source001.log rx_source001.log.2026-01-03.gz rx_source001.log.2026-01-04.gz
rx_source001.log.2026-01-05.gz rx_source001.log.2026-01-06.gz rx_source001.log.2026-01-07
tx_client001.log tx_client001.log.2026-01-03.gz tx_client001.log.2026-01-04.gz
tx_client001.log.2026-01-05.gz tx_client001.log.2026-01-06.gz tx_client001.log.2026-01-07
tx_client002.log tx_client002.log.2026-01-03.gz tx_client002.log.2026-01-04.gz
tx_client002.log.2026-01-05.gz tx_client002.log.2026-01-06.gz tx_client002.log.2026-01-07"
got=$(cd "$T/rot" && LC_ALL=C ls | tr '\n' ' ')
if [ "$got" = "$(echo $expected) " ]; then ok "live + 5 rotated files, the newest plain, older ones .gz"
else fail "live + 5 rotated files, the newest plain, older ones .gz"; echo "#   got: $got"; fi
check "the .gz files are valid gzip" gzip -t "$T"/rot/*.gz
layout_ok=1
for f in "$T"/rot/*.log*; do
    case "$f" in
        *.log) day=2026-01-08 ;;
        *) day=$(basename "$f" .gz); day=${day##*.log.} ;;
    esac
    first=$(gzip -dcf "$f" | head -n 1 | cut -c1-10)
    last=$(gzip -dcf "$f" | tail -n 1 | cut -c1-10)
    if [ "$first" != "$day" ] || [ "$last" != "$day" ]; then
        layout_ok=0; echo "#   $f holds $first .. $last"
    fi
done
if [ $layout_ok = 1 ]; then ok "each file holds the lines of the day in its name"; else fail "each file holds the lines of the day in its name"; fi
check "a rotated file's mtime is its last line" \
    test "$(date -u -r "$T/rot/tx_client001.log.2026-01-07" +%F)" = 2026-01-07

# ---- misleading names ---------------------------------------------------------
# Over the 2 machines x 5 names of tree a, every kind of lie is present.
lies=$(for f in "$T"/a/m1/*.log.* "$T"/a/m2/*.log.*; do
    name=$(basename "$f" .gz); day=${name##*.log.}
    first=$(gzip -dcf "$f" | grep -a -m1 -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8},' | cut -c1-10)
    last=$(gzip -dcf "$f" | grep -a -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8},' | tail -n 1 | cut -c1-10)
    [ "$day" != "$first" ] && echo "misdated"
    [ "$first" != "$last" ] && echo "twodays"
    [ "$day" = 2000-01-01 ] && echo "stale"
done | sort -u | tr '\n' ' ')
if [ "$lies" = "misdated stale twodays " ]; then ok "--misleading-names: misdated, stale and two-day files"
else fail "--misleading-names: misdated, stale and two-day files (got: $lies)"; fi

# ---- line kinds and order -------------------------------------------------------
"$LOGGEN" -q --logdir "$T/noise" --clients 3 --sources 1 --days 2 --rate 3000 --noise
cat "$T"/noise/tx_* > "$T/tx.all"
cat "$T"/noise/rx_* > "$T/rx.all"
has() {   # $1 = description, $2 = file, $3 = fixed string (grep -a -F)
    if grep -a -q -F -- "$3" "$2"; then ok "--noise writes $1"; else fail "--noise writes $1"; fi
}
has "tx Bulletin lines" "$T/tx.all" "Bytes) Bulletin "
has "tx File lines" "$T/tx.all" "delivered to ftp://"
has "rx Ingested lines" "$T/rx.all" "Bytes) Ingested in DB as /apps/px/db/"
has "[ERROR] lines" "$T/tx.all" "[ERROR] Unable to connect"
has "[ERROR] lines mentioning Bytes" "$T/tx.all" "[ERROR] ("
has "[WARNING] lines" "$T/tx.all" "[WARNING] Queue of"
has "SEND TIMEOUT warnings" "$T/tx.all" "[WARNING] SEND TIMEOUT ("
has "SEND TIMEOUT at INFO" "$T/tx.all" "[INFO] SEND TIMEOUT ("
has "Segment lines" "$T/tx.all" "Bytes) Bulletin Segment number"
has "Bytes/sec lines" "$T/tx.all" " Bytes/sec"
has "[DEBUG] lines with Bytes" "$T/tx.all" "[DEBUG] ("
has "tracebacks" "$T/tx.all" "Traceback (most recent call last):"
has "unreadable byte counts" "$T/tx.all" "[INFO] (abc Bytes)"
has "rx unreadable byte counts" "$T/rx.all" "x Bytes) Ingested"
python3 - "$T/tx.all" "$T"/noise/*.log <<'EOF' > "$T/kinds" 2>&1
import re, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
print("truncated" if any(re.match(rb"^\d{4}-\d\d-\d\d \d\d:\d\d,", l) for l in lines) else "")
print("empty" if b"\n\n" in data else "")
print("nul" if b"\0" in data else "")
print("long" if any(len(l) > 100000 for l in lines) and max(map(len, lines)) <= 1 << 20 else "")
# silent minutes / hours: a gap of a whole minute or hour between two lines of one file
ordered = True
for path in sys.argv[2:]:
    times = [l[:19] for l in open(path, "rb").read().split(b"\n")
             if re.match(rb"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,", l)]
    ordered &= all(a <= b for a, b in zip(times, times[1:]))
    minutes = sorted({t[:16] for t in times}); hours = sorted({t[:13] for t in times})
    print("silentminute" if len(minutes) < 48 * 60 else "")
    print("silenthour" if len(hours) < 48 else "")
print("ordered" if ordered else "unordered")
EOF
for k in truncated empty nul long silentminute silenthour ordered; do
    if grep -qx "$k" "$T/kinds"; then ok "--noise: $k"; else fail "--noise: $k"; sed 's/^/#   /' "$T/kinds" | head -n 5; fi
done

# ---- pxcheck against loggen's own account of what it wrote ---------------------
# --truth lists every counted line as the generator meant it; pxcheck, parsing
# the noisy, gzipped, misnamed files, must find exactly that in every bucket.
"$LOGGEN" -q --logdir "$T/tr/log" --clients 2 --sources 1 --start "2026-01-10 00:00:00" --days 3 \
    --rate 1500 --noise --gzip-rotated --misleading-names --seed 4 --truth "$T/tr/truth"
for n in tx_client001 tx_client002 rx_source001; do
    $PXCHECK expect -f "${n%%_*}" -c "${n#*_}" --start "2026-01-10 00:00:00" --end "2026-01-13 00:00:00" \
        "$T"/tr/log/$n.log* > "$T/tr/$n.json"
done
python3 - "$T/tr" <<'EOF2'
import calendar, json, sys, time
from collections import defaultdict
d = sys.argv[1]
truth = defaultdict(lambda: {"n": 0, "over": 0, "bytes": [], "lat": 0, "err": 0})
for line in open(d + "/truth"):
    f = line.split()
    b = truth[(f[1], int(f[2]) // 60 * 60)]
    if f[3] == "D":
        b["n"] += 1; b["bytes"].append(int(f[4])); b["lat"] += int(f[5]); b["over"] += int(f[5]) > 15
    else:
        b["err"] += 1
bad, buckets, rows = [], 0, 0
for name in ("tx_client001", "tx_client002", "rx_source001"):
    for l in open("%s/%s.json" % (d, name)):
        for bk in json.loads(l)["buckets"]:
            t = calendar.timegm(time.strptime(bk["start"], "%Y-%m-%d %H:%M:%S"))
            w = truth.get((name, t), {"n": 0, "over": 0, "bytes": [], "lat": 0, "err": 0})
            got = (bk["nbFiles"], bk["filesOverMaxLatency"], bk["bytecount"]["total"],
                   bk["bytecount"]["min"], bk["bytecount"]["max"], bk["latency"]["total"], bk["errors"]["total"])
            want = (w["n"], w["over"], sum(w["bytes"]), min(w["bytes"], default=0), max(w["bytes"], default=0),
                    w["lat"], w["err"])
            buckets += 1; rows += w["n"] + w["err"]
            if got != want:
                bad.append("%s %s got %r want %r" % (name, bk["start"], got, want))
if bad or buckets != 3 * 72 * 60 or rows < 100000:
    print("not ok - pxcheck finds what loggen wrote (%d buckets, %d rows, %d differ)" % (buckets, rows, len(bad)))
    for b in bad[:5]:
        print("#   " + b)
else:
    print("ok - pxcheck finds what loggen wrote, bucket for bucket (%d buckets, %d rows)" % (buckets, rows))
EOF2

# ---- pxcheck on handwritten logs -------------------------------------------------
mkdir -p "$T/hand"
cat > "$T/hand/tx_c1.log" <<'EOF'
2026-01-10 11:59:59,999 [INFO] (999 Bytes) Bulletin AAXX01_CWAO_101159___0001:file:CWAO:AA:3:Direct:20260110115950  delivered
2026-01-10 12:00:05,100 [INFO] (100 Bytes) Bulletin SACN31_CWAO_101200___0001:file:CWAO:SA:3:Direct:20260110120000  delivered
2026-01-10 12:00:30,000 [INFO] (300 Bytes) File /apps/px/txq/c1/3/2026011012/SMCN37_CWAO_101200___0002:ncp1:CWAO:SM:3:Direct:20260110120010 delivered to ftp://pds@wxo-b1:/data/in/
2026-01-10 12:00:40,500 [ERROR] (5000 Bytes) File /apps/px/txq/c1/3/2026011012/X:a:b:c:3:Direct:20260110120000 not delivered
2026-01-10 12:00:45,000 [INFO] (200 Bytes) Bulletin FTCN31_CWAO_101200___0003:file:CWAO:FT:3:Direct:20260110120030  delivered
2026-01-10 12:00:50,000 [INFO] (7 Bytes) Bulletin Segment number 3 sent
2026-01-10 12:00:51,000 [INFO] (5120 Bytes) sent in 2 s, 2560 Bytes/sec
2026-01-10 12:00:52,000 [WARNING] SEND TIMEOUT (4000 Bytes) File /apps/px/txq/c1/3/2026011012/Y:a:b:c:3:Direct:20260110120000
2026-01-10 12:00:53,000 [INFO] SEND TIMEOUT (4000 Bytes) File /apps/px/txq/c1/3/2026011012/Y:a:b:c:3:Direct:20260110120000
2026-01-10 12:00:54,000 [DEBUG] (4000 Bytes) read from /apps/px/rxq/c1/Z:a:b:c:3:Direct:20260110120000
Traceback (most recent call last):
    self.logger.info("[INFO] (%i Bytes) File %s delivered")
2026-01-10 12:00:55,000 [INFO] (abc Bytes) Bulletin X:a:b:c:3:Direct:20260110120000  delivered

2026-01-10 12:01:00,000 [INFO] (1000 Bytes) Bulletin UANT01_CWAO_101201___0004:file:CWAO:UA:3:Direct:20260109120100  delivered
2026-01-10 12:01:10,000 [INFO] (50 Bytes) Bulletin SXUS23_KWBC_101201___0005:ncp2:KWBC:SX:3:Direct:20260110120120  delivered
2026-01-10 12:01:20,000 [ERROR] Unable to connect to wxo-b1: Connection refused
2026-01-10 12:01:30,000 [INFO] (150 Bytes) Bulletin WWCN01_CWAO_101201___0006:file:CWAO:WW:3:Direct:20260110120125  delivered
2026-01-10 12:02,000 [INFO] (77 Bytes) Bulletin WWCN01_CWAO_101201___0007:file:CWAO:WW:3:Direct:20260110120125  delivered
2026-01-10 12:02:00,000 [INFO] (10 Bytes) Bulletin SACN40_CWAO_101202___0008:file:CWAO:SA:3:Direct:20260110120157  delivered
2026-01-10 12:02:59,999 [INFO] (21 Bytes) Bulletin SACN41_CWAO_101202___0009:file:CWAO:SA:3:Direct:20260110120251  delivered
2026-01-10 12:59:59,999 [INFO] (10 Bytes) Bulletin SACN42_CWAO_101259___0010:file:CWAO:SA:3:Direct:20260110125959  delivered
2026-01-10 13:00:00,000 [INFO] (11 Bytes) Bulletin SACN43_CWAO_101300___0011:file:CWAO:SA:3:Direct:20260110130000  delivered
EOF
# The same hour split over a gzipped rotated file with a lying name and the live file.
head -n 10 "$T/hand/tx_c1.log" | gzip > "$T/hand/tx_c2.log.2031-05-05.gz"
tail -n +11 "$T/hand/tx_c1.log" > "$T/hand/tx_c2.log"
cat > "$T/hand/rx_s1.log" <<'EOF'
2026-01-10 12:00:01,000 [INFO] (107 Bytes) Ingested in DB as /apps/px/db/20260110/SM/file/CWAO/SMCN37_CWAO_300651___0001:file:CWAO:SM:3:Direct:20260110115000
2026-01-10 12:00:02,000 [INFO] (93 Bytes) Ingested in DB as /apps/px/db/20260110/SA/file/CWAO/SACN31_CWAO_300651___0002:file:CWAO:SA:3:Direct:20260110120002
2026-01-10 12:00:03,000 [ERROR] Unable to ingest /apps/px/rxq/s1/x: No space left on device
2026-01-10 12:05:00,000 [INFO] (1000 Bytes) Ingested in DB as /apps/px/db/20260110/FT/file/CWAO/FTCN31_CWAO_300651___0003:file:CWAO:FT:3:Direct:20260110120500
2026-01-10 12:06:00,000 [INFO] (1 Bytes) Ingested in DB as /apps/px/db/20260110/FT/file/CWAO/FTCN31_CWAO_300651___0004:file:CWAO:FT:3:Direct:20260110120600
EOF
# ...whose last line, without its newline, is held back until it is complete.
printf '%s' "$(tail -n 1 "$T/hand/rx_s1.log")" > "$T/hand/last"
head -n 4 "$T/hand/rx_s1.log" > "$T/hand/rx_s1.tmp" && cat "$T/hand/last" >> "$T/hand/rx_s1.tmp" &&
    mv "$T/hand/rx_s1.tmp" "$T/hand/rx_s1.log"

$PXCHECK expect -f tx -c c1 -m pds1 --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" \
    "$T/hand/tx_c1.log" > "$T/hand/tx.json" 2> "$T/hand/err"
$PXCHECK expect -f tx -c c1 -m pds1 --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" \
    "$T/hand/tx_c2.log" "$T/hand/tx_c2.log.2031-05-05.gz" > "$T/hand/tx2.json" 2>> "$T/hand/err"
$PXCHECK expect -f rx -c s1 -m pds1 --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" \
    "$T/hand/rx_s1.log" > "$T/hand/rx.json" 2>> "$T/hand/err"
python3 - "$T/hand" <<'EOF'
import json, sys
d = sys.argv[1]
def load(name):
    return [json.loads(l) for l in open(d + "/" + name)]
def z():
    return {"min": 0, "max": 0, "mean": 0, "median": 0, "total": 0}
def s(mn, mx, mean, median, total):
    return {"min": mn, "max": mx, "mean": mean, "median": median, "total": total}
def b(start, n, over, lat, byt, err):
    return {"start": start, "nbFiles": n, "filesOverMaxLatency": over, "latency": lat,
            "bytecount": byt, "errors": {"total": err}}
def check(what, got, want):
    ok = got == want
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                print("#   [%d] got  %r\n#   [%d] want %r" % (i, g, i, w))
    elif not ok:
        print("#   got  %r\n#   want %r" % (got, want))
def strip(bucket):
    out = dict(bucket)
    for k in ("latency", "bytecount"):
        out[k] = {f: bucket[k][f] for f in ("min", "max", "mean", "median", "total")}
    return out

# Hand-computed. Bucket 12:00: latencies 5, 20, 15 (15 is not over 15), bytes
# 100, 300, 200, one error (with "Bytes" in it: an error only). Segment,
# Bytes/sec, SEND TIMEOUT (WARNING and INFO), DEBUG, traceback skipped.
# 12:01: latencies 86400 (a day, no wrap), 0 (future, clamped), 5; bytes
# 1000, 50, 150; one error. 12:02: latencies 3, 8 (even count: median 5.5),
# bytes 10, 21 (median 15.5). 12:59: 0 s, 10 bytes. 11:59 and 13:00 are
# other hours. Malformed: the traceback's "[INFO] (%i Bytes)", "(abc Bytes)",
# the truncated time "12:02,000".
zero = [b("2026-01-10 12:%02d:00" % m, 0, 0, z(), z(), 0) for m in range(60)]
want = list(zero)
want[0] = b("2026-01-10 12:00:00", 3, 1, s(5, 20, 40 / 3, 15, 40), s(100, 300, 200, 200, 600), 1)
want[1] = b("2026-01-10 12:01:00", 3, 1, s(0, 86400, 86405 / 3, 5, 86405), s(50, 1000, 400, 150, 1200), 1)
want[2] = b("2026-01-10 12:02:00", 2, 0, s(3, 8, 5.5, 5.5, 11), s(10, 21, 15.5, 15.5, 31), 0)
want[59] = b("2026-01-10 12:59:00", 1, 0, s(0, 0, 0, 0, 0), s(10, 10, 10, 10, 10), 0)
for name in ("tx.json", "tx2.json"):
    hours = load(name)
    check("pxcheck %s: one hour" % name, len(hours), 1)
    h = hours[0]
    check("pxcheck %s: header" % name, [h[k] for k in ("client", "machine", "fileType", "start", "interval")],
          ["c1", "pds1", "tx", "2026-01-10 12:00:00", 1])
    check("pxcheck %s: malformed" % name, h["malformed"], 3)
    check("pxcheck %s: 60 buckets, hand-computed" % name, [strip(x) for x in h["buckets"]], want)
    check("pxcheck %s: where the max latency occurred" % name,
          (h["buckets"][1]["latency"]["maxFile"], h["buckets"][1]["latency"]["maxTime"]),
          ("UANT01_CWAO_101201___0004:file:CWAO:UA:3:Direct:20260109120100", "2026-01-10 12:01:00"))
    check("pxcheck %s: where the min bytes occurred" % name,
          (h["buckets"][0]["bytecount"]["minFile"], h["buckets"][0]["bytecount"]["minTime"]),
          ("SACN31_CWAO_101200___0001:file:CWAO:SA:3:Direct:20260110120000", "2026-01-10 12:00:05"))
check("pxcheck: files in first-timestamp order, names ignored", load("tx2.json")[0]["files"],
      ["tx_c2.log.2031-05-05.gz", "tx_c2.log"])

# rx: no latency, product = first colon field, the last line (no newline) held back.
h = load("rx.json")[0]
want = [b("2026-01-10 12:%02d:00" % m, 0, 0, z(), z(), 0) for m in range(60)]
want[0] = b("2026-01-10 12:00:00", 2, 0, z(), s(93, 107, 100, 100, 200), 1)
want[5] = b("2026-01-10 12:05:00", 1, 0, z(), s(1000, 1000, 1000, 1000, 1000), 0)
check("pxcheck rx: 60 buckets, hand-computed", [strip(x) for x in h["buckets"]], want)
check("pxcheck rx: the product is the first colon field",
      h["buckets"][0]["bytecount"]["minFile"], "SACN31_CWAO_300651___0002")
EOF
check "pxcheck expect printed no error" test ! -s "$T/hand/err"
$PXCHECK expect -f rx -c s1 -m pds1 --keep-partial --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" \
    "$T/hand/rx_s1.log" > "$T/hand/rxk.json"
check "pxcheck --keep-partial counts the unfinished last line" \
    python3 -c "import json,sys; h=json.load(open(sys.argv[1])); sys.exit(h['buckets'][6]['nbFiles'] != 1)" "$T/hand/rxk.json"

# --cut: the partial hour of statsUpdater -n, lines at or after the date left out.
# An untimed line counts with the latest time of the lines that count (12:00:45,
# before the cut: the DEBUG and WARNING lines after it do not count), so the
# traceback's "[INFO] (%i Bytes)" is in; "(abc Bytes)" at 12:00:55 is out.
$PXCHECK expect -f tx -c c1 --cut "2026-01-10 12:00:54" --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" \
    "$T/hand/tx_c1.log" > "$T/hand/cut.json"
check "pxcheck --cut keeps the lines before the date only" python3 -c "
import json, sys
h = json.load(open(sys.argv[1]))
b = h['buckets']
sys.exit(not (b[0]['nbFiles'] == 3 and b[0]['errors']['total'] == 1 and h['malformed'] == 1
              and sum(x['nbFiles'] + x['errors']['total'] for x in b[1:]) == 0))" "$T/hand/cut.json"

# Hours before the oldest line are marked: a missing snapshot there is no difference.
$PXCHECK expect -f tx -c c1 --start "2026-01-10 10:00:00" --end "2026-01-10 13:00:00" "$T/hand/tx_c1.log" > "$T/hand/3h.json"
check "pxcheck marks the hours before the oldest line (10:00) and only those" python3 -c "
import json, sys
sys.exit([json.loads(l)['beforeLogs'] for l in open(sys.argv[1])] != [True, False, False])" "$T/hand/3h.json"
tail -n 2 "$T/hand/3h.json" > "$T/hand/2h.json"
expect_status 0 "compare: no snapshot for an hour before the logs is right" $PXCHECK compare "$T/hand/3h.json" "$T/hand/2h.json"
head -n 2 "$T/hand/3h.json" > "$T/hand/h12missing.json"
expect_status 1 "compare: a missing hour after the logs began is a difference" $PXCHECK compare "$T/hand/3h.json" "$T/hand/h12missing.json"

# A data line of 1.1 MB is data; with --max-line it is malformed.
python3 -c 'import sys; sys.stdout.write("2026-01-10 12:41:00,000 [INFO] (31 Bytes) Bulletin A:s:C:SA:3:D:20260110124100  delivered " + "x" * 1100000 + "\n")' > "$T/hand/tx_big.log"
$PXCHECK expect -f tx -c big --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" "$T/hand/tx_big.log" > "$T/hand/big1.json"
$PXCHECK expect -f tx -c big --max-line 1048576 --start "2026-01-10 12:00:00" --end "2026-01-10 13:00:00" "$T/hand/tx_big.log" > "$T/hand/big2.json"
check "pxcheck: a 1.1 MB data line is read whole" \
    python3 -c "import json,sys; h=json.load(open(sys.argv[1])); sys.exit(not (h['buckets'][41]['nbFiles'] == 1 and h['malformed'] == 0))" "$T/hand/big1.json"
check "pxcheck --max-line: a longer line is malformed" \
    python3 -c "import json,sys; h=json.load(open(sys.argv[1])); sys.exit(not (h['buckets'][41]['nbFiles'] == 0 and h['malformed'] == 1))" "$T/hand/big2.json"

# ---- pxcheck compare --------------------------------------------------------------
expect_status 0 "compare: an hour equals itself" $PXCHECK compare "$T/hand/tx.json" "$T/hand/tx.json"
python3 - "$T/hand" <<'EOF'
import json, sys
d = sys.argv[1]
h = json.loads(open(d + "/tx.json").read())
h["buckets"][1]["latency"]["mean"] *= 1 + 1e-12          # within the tolerance
h["files"] = ["other"]; h["malformed"] = 99               # not compared by default
h["extra"] = True                                         # fields pickleView adds are ignored
open(d + "/near.json", "w").write(json.dumps(h, indent=1))
h["buckets"][2]["bytecount"]["median"] = 15               # a real difference
h["buckets"][59]["nbFiles"] = 2
open(d + "/bad.json", "w").write(json.dumps(h))
EOF
expect_status 0 "compare: within 1e-9, files and malformed ignored" $PXCHECK compare "$T/hand/tx.json" "$T/hand/near.json"
expect_status 1 "compare: differing buckets exit 1" $PXCHECK compare "$T/hand/tx.json" "$T/hand/bad.json"
stdout_has 'bucket 2 \(2026-01-10 12:02:00\) bytecount.median expected 15.5 got 15' "compare names the bucket, the field and both values"
stdout_has 'bucket 59 .* nbFiles expected 1 got 2' "compare reports every difference"
expect_status 1 "compare --malformed compares the malformed count" $PXCHECK compare --malformed "$T/hand/tx.json" "$T/hand/near.json"
expect_status 1 "compare: a missing hour is a difference" $PXCHECK compare "$T/hand/tx.json" "$T/hand/rx.json"
stdout_has 'no such hour' "compare says which hour is missing"
