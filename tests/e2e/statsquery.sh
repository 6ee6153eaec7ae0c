#!/bin/sh
# statsQuery: the rows of generated logs (two machines, noise, a day boundary,
# hours before the logs and after the collection) against the independent
# arithmetic of pxcheck.py for --by minute|hour|day|total, one machine and two
# merged, tx and rx; nearest-rank percentiles on a hand-made log; the four
# formats parsed back (csv, json, OpenMetrics through a strict parser and
# promtool when installed); the archive; a damaged snapshot; the usage and
# the guards.
. "$(dirname "$0")/lib.sh"

PXCHECK="python3 $TOP/tests/tools/pxcheck.py"
OMCHECK="python3 $TOP/tests/tools/omcheck.py"
T=$TMPROOT
R=$(newroot)
S=$R/stats
START="2026-11-23 00:00:00"
END="2026-11-24 06:00:00"
export PXS_NOW="2026-11-24 06:30:00"

loggen -q --logdir "$R/log" --machines pds5,pds6 --names amis,satnet --source-names ncp1 \
    --start "$START" --hours 30 --rate 240 --noise --gzip-rotated --seed 5
collect "$R" "$START" "$END" pds5,pds6 amis,satnet ncp1 || fail "collecting the logs"
check "the snapshots are collected" test -s "$S/pickles/amis/20261124/tx/pds6_05"

# ---- usage ------------------------------------------------------------------
expect_status 0 "statsQuery -h exits 0" statsQuery -h
stdout_has '^usage: statsQuery \[-c CLIENTS\] \[-f tx\|rx\] \[-m MACHINES\] \[-s START\] \[-e END\]$' \
    "-h prints the usage on stdout"
stdout_has 'nearest rank' "-h says what a percentile is"
expect_status 0 "--version exits 0" statsQuery --version
stdout_has '^statsQuery \(pxstats\) [0-9]+\.[0-9]+' "--version prints the version"
expect_status 2 "--by hours is a usage error" statsQuery --root "$R" -m pds5 --by hours
stderr_has "^statsQuery: --by: 'hours' is not one of minute, hour, day, total \(did you mean hour\?\); try 'statsQuery -h'$" \
    "--by hours: one line, the nearest unit offered"
check "--by hours: one line only" test "$(wc -l < "$T/.err")" -eq 1
expect_status 2 "--format xml is a usage error" statsQuery --root "$R" -m pds5 --format xml
stderr_has "'xml' is not one of table, csv, json, openmetrics" "--format xml: the formats listed"
expect_status 2 "--format jsno: the nearest format offered" statsQuery --root "$R" -m pds5 --format jsno
stderr_has "did you mean json\?" "--format jsno: did you mean json"
expect_status 2 "an empty range is a usage error" statsQuery --root "$R" -m pds5 -s "$END" -e "$START"
stderr_has 'the range is empty' "an empty range: said"
expect_status 2 "a bad date is a usage error" statsQuery --root "$R" -m pds5 -s yesterday
expect_status 2 "a machine twice is a usage error" statsQuery --root "$R" -m pds5,pds5
stderr_has "machine 'pds5' named twice" "a machine twice: named (the one machine parser's message)"
expect_status 2 "--filetype: did you mean --fileType" statsQuery --root "$R" --filetype rx
stderr_has "did you mean --fileType\?" "--filetype: the long option offered"

# ---- guards -----------------------------------------------------------------
expect_status 1 "a client with no snapshot is an error" statsQuery --root "$R" -m pds5 -c amsi
stderr_has "no tx snapshot of client 'amsi' under $S/pickles" "the client and the place looked at are named"
check "nothing printed for a typo" test ! -s "$T/.out"
expect_status 1 "a machine with no snapshot is an error" statsQuery --root "$R" -m pds5,pds9
stderr_has "no tx snapshot of machine 'pds9' under $S/pickles" "the machine is named"
expect_status 1 "a tx client asked as rx is an error" statsQuery --root "$R" -m pds5 -f rx -c amis
stderr_has "no rx snapshot of source 'amis'" "the file type is named"
expect_status 1 "a stats tree that does not exist is an error" statsQuery --root "$T/nowhere" -m pds5
stderr_has "stats tree $T/nowhere/stats: No such file or directory" "the tree is named"
check "no tree is created" test ! -e "$T/nowhere"
expect_status 1 "--archive: a client without a database" statsQuery --root "$R" -m pds5,pds6 -c amis --archive
stderr_has "no tx archive of client 'amis' for machines 'pds5pds6'" "--archive: the archive looked for is named"

# ---- the default: the last complete hour, every client -----------------------
expect_status 0 "the default query (the last complete hour)" statsQuery --root "$R" -m pds5,pds6
stdout_has '^client +machines +fileType +start +end +files +bytes +errors +filesOverMaxLatency +latency_min +latency_p50 +latency_p90 +latency_p95 +latency_p99 +latency_max +latency_mean +bytecount_p50 +bytecount_p99 +bytecount_max$' \
    "the table's header names every field in order"
stdout_has '^amis +pds5,pds6 +tx +2026-11-24 05:00:00 +2026-11-24 06:00:00 +[0-9]+ ' "amis's last complete hour"
stdout_has '^satnet +pds5,pds6 +tx +2026-11-24 05:00:00' "satnet's last complete hour"
check "one row per client (tx only), and the header" test "$(wc -l < "$T/.out")" -eq 3

# ---- against independent arithmetic -------------------------------------------
# From two hours before the first line to an hour after the last collected
# one: the first and the last hours are unknown (null), never zero.
QS="2026-11-22 22:00:00"
QE="2026-11-24 07:00:00"
compare() {   # compare DESCRIPTION FT CLIENT MACHINES BY START END
    d=$1 ft=$2 c=$3 ms=$4 by=$5 s=$6 e=$7
    files=""
    for m in $(echo "$ms" | tr ',' ' '); do files="$files $(ls "$R/log/$m/${ft}_$c.log"*)"; done
    # shellcheck disable=SC2086
    $PXCHECK query -f "$ft" -c "$c" -m "$ms" --start "$s" --end "$e" --by "$by" --until "$END" $files > "$T/exp.json"
    statsQuery --root "$R" -f "$ft" -c "$c" -m "$ms" -s "$s" -e "$e" --by "$by" --format json > "$T/act.json" 2> "$T/act.err"
    rc=$?
    if [ $rc -eq 0 ] && $PXCHECK query-compare "$T/exp.json" "$T/act.json" > "$T/diff" 2>&1; then
        ok "$d ($(wc -l < "$T/act.json") rows)"
    else
        fail "$d (exit $rc)"; head -n 5 "$T/diff" "$T/act.err" | sed 's/^/#   /'
    fi
}
for by in hour day total; do
    compare "tx amis on pds5, --by $by = pxcheck" tx amis pds5 $by "$QS" "$QE"
    compare "tx amis on pds5,pds6 merged, --by $by = pxcheck" tx amis pds5,pds6 $by "$QS" "$QE"
    compare "rx ncp1 on pds5,pds6 merged, --by $by = pxcheck" rx ncp1 pds5,pds6 $by "$QS" "$QE"
done
compare "tx satnet on pds6, --by hour = pxcheck" tx satnet pds6 hour "$QS" "$QE"
compare "tx satnet on pds6,pds5 (the other order), --by total = pxcheck" tx satnet pds6,pds5 total "$QS" "$QE"
compare "an unaligned range by the minute (across midnight) = pxcheck" \
    tx amis pds5,pds6 minute "2026-11-23 22:47:31" "2026-11-24 01:12:05"
compare "an unaligned range by the hour = pxcheck" tx amis pds5,pds6 hour "2026-11-23 10:00:59" "2026-11-23 15:30:00"
python3 - "$T/act.json" <<'EOF' && ok "unaligned: the first and last periods are cut to the range" || fail "unaligned: the first and last periods are cut to the range"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[0]["start"] == "2026-11-23 10:00:59" and rows[0]["end"] == "2026-11-23 11:00:00", rows[0]
assert rows[-1]["start"] == "2026-11-23 15:00:00" and rows[-1]["end"] == "2026-11-23 15:30:00", rows[-1]
EOF
statsQuery --root "$R" -c amis -m pds5,pds6 -s "$QS" -e "$QE" --format json > "$T/hours.json"
python3 - "$T/hours.json" <<'EOF' && ok "hours before the logs and after the collection are null, the others counted" || fail "hours before the logs and after the collection are null, the others counted"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 33, len(rows)
for r in rows[:2] + rows[-1:]:
    assert all(r[k] is None for k in list(r)[5:]), r
assert all(r["files"] is not None for r in rows[2:-1])
assert sum(r["files"] for r in rows[2:-1]) > 1000
EOF

# ---- percentiles on a hand-made log: nearest rank ----------------------------------
H=$(newroot)
mkdir -p "$H/log/hm"
python3 - "$H/log/hm/tx_pct.log" <<'EOF'
import sys
# 20 files in one hour, latencies 1..20 s in a shuffled order, sizes 100..2000;
# two error lines (not files).
with open(sys.argv[1], "w") as f:
    for i, lat in enumerate([7, 3, 20, 1, 12, 18, 5, 9, 15, 2, 19, 11, 4, 16, 8, 14, 6, 17, 10, 13]):
        t = 100 + i * 60
        recv = t - lat
        f.write("2026-01-10 05:%02d:%02d,000 [INFO] (%d Bytes) Bulletin X%02d:a:b:c:3:Direct:202601100%d%02d%02d  delivered\n"
                % (t // 60, t % 60, 100 * (i + 1), i, 5, recv // 60, recv % 60))
    f.write("2026-01-10 05:30:00,000 [ERROR] Unable to connect\n")
    f.write("2026-01-10 05:31:00,000 [ERROR] Unable to connect\n")
    f.write("2026-01-10 06:00:10,000 [INFO] (5 Bytes) Bulletin Z:a:b:c:3:Direct:20260110060000  delivered\n")
EOF
setLastUpdate --root "$H" -m hm -c pct -f tx "2026-01-10 05:00:00" && statsUpdater --root "$H" -m hm -c pct -d "2026-01-10 07:00:00"
expect_status 0 "a query of the hand-made hour" statsQuery --root "$H" -m hm -c pct -s "2026-01-10 05:00:00" -e "2026-01-10 06:00:00" --format json
stdout_has '"files":20,"bytes":21000,"errors":2,"filesOverMaxLatency":5,' "20 files, 21000 bytes, 2 errors, 5 over 15 s"
stdout_has '"latency_min":1,"latency_p50":10,"latency_p90":18,"latency_p95":19,"latency_p99":20,"latency_max":20,"latency_mean":10.5,' \
    "latency: p50 10, p90 18, p95 19 (rank 19 of 20), p99 20"
stdout_has '"bytecount_p50":1000,"bytecount_p99":2000,"bytecount_max":2000\}' "size: p50 1000 (rank 10), p99 2000"
expect_status 0 "pickleView --json gives the same percentiles" pickleView --json "$H/stats/pickles/pct/20260110/tx/hm_05"
stdout_has '"percentiles":\{"latency":\{"p50":10,"p90":18,"p95":19,"p99":20\},"bytecount":\{"p50":1000,"p90":1800,"p95":1900,"p99":2000\}\}' \
    "pickleView's hour-level percentiles agree"

# ---- the formats parsed back ------------------------------------------------------
ARGS="--root $R -m pds5,pds6 -s 2026-11-23 -e 2026-11-24"
# shellcheck disable=SC2086
statsQuery $ARGS --format json > "$T/q.json" && statsQuery $ARGS --format csv > "$T/q.csv" &&
    statsQuery $ARGS --format table > "$T/q.table" && statsQuery $ARGS --format openmetrics > "$T/q.prom"
check "the four formats of one query succeed" test -s "$T/q.json" -a -s "$T/q.csv" -a -s "$T/q.table" -a -s "$T/q.prom"
python3 - "$T/q.json" "$T/q.csv" "$T/q.table" <<'EOF' && ok "csv = json (header = the contract's fields, empty = null), table = json" || fail "csv = json (header = the contract's fields, empty = null), table = json"
import csv, json, sys
FIELDS = ["client", "machines", "fileType", "start", "end", "files", "bytes", "errors",
          "filesOverMaxLatency", "latency_min", "latency_p50", "latency_p90", "latency_p95",
          "latency_p99", "latency_max", "latency_mean", "bytecount_p50", "bytecount_p99", "bytecount_max"]
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 48 and all(list(r) == FIELDS for r in rows)
with open(sys.argv[2], newline="") as f:
    c = list(csv.reader(f))
assert c[0] == FIELDS, c[0]
assert len(c) == 49
for j, r in zip(rows, c[1:]):
    for k, v in zip(FIELDS, r):
        want = j[k]
        if want is None:
            assert v == "", (k, v)
        elif isinstance(want, str):
            assert v == want, (k, v, want)
        else:
            assert float(v) == want, (k, v, want)
t = [l.split() for l in open(sys.argv[3])]
assert t[0] == FIELDS and len(t) == 49
for j, r in zip(rows, t[1:]):
    # the dates are two words each
    assert r[0] == j["client"] and r[3] + " " + r[4] == j["start"] and r[7] == str(j["files"]), (r, j)
EOF
if $OMCHECK "$T/q.prom" > "$T/om.out" 2>&1; then ok "openmetrics: the strict parser accepts it"; else fail "openmetrics: the strict parser accepts it"; head -n 5 "$T/om.out" | sed 's/^/#   /'; fi
check "openmetrics: ends with # EOF" test "$(tail -n 1 "$T/q.prom")" = "# EOF"
$OMCHECK --json "$T/q.prom" > "$T/om.json" 2>&1
python3 - "$T/q.json" "$T/om.json" <<'EOF' && ok "openmetrics = json: every value, labels client/machine/filetype and the period" || fail "openmetrics = json: every value, labels client/machine/filetype and the period"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
samples = json.load(open(sys.argv[2]))
got = {}
for s in samples:
    l = s["labels"]
    assert set(l) - {"quantile"} == {"client", "machine", "filetype", "start", "end"}, l
    key = (l["client"], l["start"], s["name"], l.get("quantile"))
    assert key not in got
    got[key] = s["value"]
GAUGES = {"files": "pxstats_files", "bytes": "pxstats_bytes", "errors": "pxstats_errors",
          "filesOverMaxLatency": "pxstats_files_over_max_latency",
          "latency_min": "pxstats_latency_min_seconds", "latency_max": "pxstats_latency_max_seconds",
          "latency_mean": "pxstats_latency_mean_seconds", "bytecount_max": "pxstats_file_size_max_bytes"}
QUANT = {"latency_p50": ("pxstats_latency_seconds", "0.5"), "latency_p90": ("pxstats_latency_seconds", "0.9"),
         "latency_p95": ("pxstats_latency_seconds", "0.95"), "latency_p99": ("pxstats_latency_seconds", "0.99"),
         "bytecount_p50": ("pxstats_file_size_bytes", "0.5"), "bytecount_p99": ("pxstats_file_size_bytes", "0.99")}
n = 0
for r in rows:
    for k, name in GAUGES.items():
        assert got.get((r["client"], r["start"], name, None)) == r[k], (k, r)
        n += 1
    for k, (name, q) in QUANT.items():
        assert got.get((r["client"], r["start"], name, q)) == r[k], (k, r)
    if r["files"] is not None:
        assert got[(r["client"], r["start"], "pxstats_latency_seconds_count", None)] == r["files"]
        assert got[(r["client"], r["start"], "pxstats_file_size_bytes_sum", None)] == r["bytes"]
        assert abs(got[(r["client"], r["start"], "pxstats_latency_seconds_sum", None)] - r["latency_mean"] * r["files"]) < 1e-6 * max(1, r["latency_mean"] * r["files"])
assert n > 0
EOF
statsQuery --root "$R" -m pds5,pds6 -s 2026-11-23 -e 2026-11-24 --by total -f rx --format openmetrics > "$T/rx.prom"
check "openmetrics of rx sources: valid" $OMCHECK "$T/rx.prom"
check "openmetrics of one period: no start/end labels (stable series for the textfile collector)" \
    sh -c "grep -q '^pxstats_files{client=\"ncp1\",machine=\"pds5,pds6\",filetype=\"rx\"} [0-9]' '$T/rx.prom' && ! grep -q 'start=' '$T/rx.prom'"
check "openmetrics of rx: no latency family" sh -c "! grep -q latency '$T/rx.prom'"
# The checker must catch a broken exposition.
sed '/^# TYPE pxstats_bytes/d' "$T/rx.prom" > "$T/bad.prom"
if $OMCHECK "$T/bad.prom" > /dev/null 2>&1; then fail "the strict parser refuses a family without TYPE"; else ok "the strict parser refuses a family without TYPE"; fi
if command -v promtool > /dev/null 2>&1; then
    check "promtool check metrics accepts the hourly exposition" sh -c "promtool check metrics < '$T/q.prom'"
    check "promtool check metrics accepts the rx exposition" sh -c "promtool check metrics < '$T/rx.prom'"
    printf '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n' > "$T/dup.prom"
    if promtool check metrics < "$T/dup.prom" > /dev/null 2>&1; then fail "promtool refuses a repeated series"; else ok "promtool refuses a repeated series"; fi
else
    ok "promtool is not installed (Debian's prometheus package): the strict parser alone checked the exposition"
fi

# ---- the archive -----------------------------------------------------------------
rrdTransfer --root "$R" -m pds5,pds6 -f tx -e "$END" > /dev/null 2>&1
statsQuery --root "$R" -c amis -m pds5,pds6 -s "$START" -e "$END" --format json > "$T/snap.json"
expect_status 0 "--archive of the fed range" statsQuery --root "$R" -c amis -m pds5,pds6 -s "$START" -e "$END" --archive --format json
cp "$T/.out" "$T/arch.json"
stderr_has 'latency_min, latency_p50, latency_p90, latency_p95, latency_p99, latency_max, bytecount_p50, bytecount_p99, bytecount_max are absent' \
    "--archive: the absent columns are said on stderr"
python3 - "$T/snap.json" "$T/arch.json" <<'EOF' && ok "--archive: files, bytes, errors, late files and mean latency = the snapshots', the rest null" || fail "--archive: files, bytes, errors, late files and mean latency = the snapshots', the rest null"
import json, sys
snap = [json.loads(l) for l in open(sys.argv[1])]
arch = [json.loads(l) for l in open(sys.argv[2])]
assert len(snap) == len(arch) == 30
for s, a in zip(snap, arch):
    assert list(a) == list(s)
    for k in ("client", "machines", "fileType", "start", "end", "files", "bytes", "errors", "filesOverMaxLatency"):
        assert a[k] == s[k], (k, s, a)
    if s["files"]:
        assert abs(a["latency_mean"] - s["latency_mean"]) <= 1e-9 * s["latency_mean"] + 1e-9, (s, a)
    for k in ("latency_min", "latency_p50", "latency_p90", "latency_p95", "latency_p99", "latency_max",
              "bytecount_p50", "bytecount_p99", "bytecount_max"):
        assert a[k] is None, (k, a)
EOF
expect_status 0 "--archive as a table" statsQuery --root "$R" -c amis -m pds5,pds6 -s "$START" -e "$END" --archive --by total
stdout_has '^\(from the RRD archive, which keeps per-minute values only: latency_min, .* are absent\)$' \
    "--archive: the table's last line names the absent columns"

# ---- a damaged snapshot -------------------------------------------------------------
D=$S/pickles/amis/20261123/tx/pds5_10
printf 'garbage' | dd of="$D" bs=1 seek=30 conv=notrunc 2>/dev/null
expect_status 1 "a damaged snapshot: exit 1" statsQuery --root "$R" -c amis -m pds5 -s "$START" -e "$END" --format json
stderr_has "$D" "the damaged snapshot is named"
check "the other hours are still printed (30 rows)" test "$(wc -l < "$T/.out")" -eq 30
stdout_has '"start":"2026-11-23 10:00:00","end":"2026-11-23 11:00:00","files":null' "its hour is unknown, not zero"
exit 0
