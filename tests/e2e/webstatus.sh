#!/bin/sh
# webPages: status.html and the daily page's summary of the last 24 hours, on a
# tree of two log machines where pds6 is made stale (collected three hours
# behind, its last pickleSync old, the archive fed without its data), checked
# as text and in headless Chromium (rows red and green as rendered); the
# summary's numbers against statsQuery and the independent arithmetic of
# pxcheck.py.
. "$(dirname "$0")/lib.sh"

PXCHECK="python3 $TOP/tests/tools/pxcheck.py"
T=$TMPROOT
R=$(newroot)
S=$R/stats
START="2026-11-23 00:00:00"
export PXS_NOW="2026-11-23 06:30:00"
cat > "$R/etc/pxstats.conf" <<EOF
[graphics]
logFilesMachines = pds5,pds6
picklingMachines = pds5;pds6
picklingMachineLogins = px;px
localMachines = nowhere
[databases]
machineNames = pds5,pds6
EOF
loggen -q --logdir "$R/log" --machines pds5,pds6 --names amis,satnet --source-names ncp1 \
    --start "$START" --hours 7 --rate 200 --seed 3
# pds5 collected to 06:00; pds6 stopped at 03:00 (the machine is stale).
collect "$R" "$START" "2026-11-23 06:00:00" pds5 amis,satnet ncp1 &&
    collect "$R" "$START" "2026-11-23 03:00:00" pds6 amis,satnet ncp1 || fail "collecting the logs"
# The archive is fed up to 06:00: the hours 03..05 without pds6's data (no
# hour held back waiting for it: --max-wait 0).
rrdTransfer --root "$R" -m pds5,pds6 -f tx -e "2026-11-23 06:00:00" --max-wait 0 > /dev/null &&
rrdTransfer --root "$R" -m pds5,pds6 -f rx -e "2026-11-23 06:00:00" --max-wait 0 > /dev/null || fail "feeding the archive"
# pickleSync's run log: pds5 synchronised this hour, pds6 last three hours ago
# and its last attempt failed.
mkdir -p "$S/log"
cat > "$S/log/pickleSync.log" <<'EOF'
2026-11-23 03:05:00 pickleSync: px@pds6:22: synchronised
2026-11-23 05:05:00 pickleSync: px@pds5:22: synchronised
2026-11-23 05:05:09 pickleSync: px@pds6:22: failed
2026-11-23 06:05:00 pickleSync: px@pds5:22: synchronised
2026-11-23 06:05:09 pickleSync: px@pds6:22: failed
EOF

expect_status 0 "webPages writes the pages and status.html" webPages --root "$R"
P=$S/webPages
check "status.html is written" test -s "$P/status.html"
check "the index links status.html" grep -q '<a href="status.html">Status</a>' "$P/index.html"
check "every page's navigation links it" grep -q 'href="status.html"' "$P/weeklyGraphs.html"
ST=$P/status.html
check "the page says when it was computed" grep -q 'Computed at 2026-11-23 06:30:00 UTC' "$ST"
row() { grep "data-key=\"$1\"" "$ST"; }
check "pds5: a green row" sh -c "grep 'data-key=\"machine:pds5\"' '$ST' | grep -q 'class=\"ok\"'"
check "pds6: a red row" sh -c "grep 'data-key=\"machine:pds6\"' '$ST' | grep -q 'class=\"bad\"'"
check "pds5: collected up to 06:00, no lag" sh -c "grep 'machine:pds5' '$ST' | grep -q '<td>2026-11-23 06:00:00</td><td>0 min</td>'"
check "pds6: collected up to 03:00, 3 h behind" sh -c "grep 'machine:pds6' '$ST' | grep -q '<td>2026-11-23 03:00:00</td><td>3 h 00 min</td>'"
check "pds5: synchronised at 06:05" sh -c "grep 'machine:pds5' '$ST' | grep -q '2026-11-23 06:05:00 from pds5<'"
check "pds6: the last pickleSync and its failure" sh -c "grep 'machine:pds6' '$ST' | grep -q '2026-11-23 03:05:00 from pds6 (the last attempt failed)'"
check "the archive fed up to 06:00 on both rows" test "$(grep -c '<td>2026-11-23 06:00:00 (0 min behind; 3 fed)</td>' "$ST")" -eq 2
# 3 hours (03, 04, 05) x 3 names (amis, satnet tx; ncp1 rx) fed without pds6.
check "pds6: 9 (client, hour) fed without its data, from 03:00" \
    sh -c "grep 'machine:pds6' '$ST' | grep -q '9 (client, hour) fed without its data, the first at 2026-11-23 03:00:00'"
check "pds5: no hour fed without its data" sh -c "grep 'machine:pds5' '$ST' | grep -q '<td>none</td>'"

# The clients of the last hour: a p95 latency over 15 s, or errors, is red.
statsQuery --root "$R" -m pds5,pds6 -s "2026-11-23 05:00:00" -e "2026-11-23 06:00:00" --format json > "$T/last.json"
statsQuery --root "$R" -m pds5,pds6 -f rx -s "2026-11-23 05:00:00" -e "2026-11-23 06:00:00" --format json >> "$T/last.json"
python3 - "$T/last.json" "$ST" <<'EOF' && ok "the clients listed are those statsQuery finds with errors or p95 > 15 s" || fail "the clients listed are those statsQuery finds with errors or p95 > 15 s"
import json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
page = open(sys.argv[2]).read()
listed = set(re.findall(r'data-key="client:(\w+_[\w.-]+)"', page))
want = set("%s_%s" % (r["fileType"], r["client"]) for r in rows
           if (r["errors"] or 0) > 0 or (r["latency_p95"] is not None and r["latency_p95"] > 15))
assert listed == want, (listed, want)
if not want:
    assert 'data-key="clients"' in page
EOF

# ---- the daily summary ----------------------------------------------------------
D=$P/dailyGraphs.html
check "the daily page has the summary of the last 24 hours" grep -q '<h2>The last 24 hours</h2>' "$D"
check "its names link to their rows of graphs" sh -c "grep -q '<a href=\"#tx-amis\">amis</a>' '$D' && grep -q '<tr id=\"tx-amis\">' '$D'"
check "rx sources link too" sh -c "grep -q '<a href=\"#rx-ncp1\">ncp1</a>' '$D' && grep -q '<tr id=\"rx-ncp1\">' '$D'"
# shellcheck disable=SC2086
$PXCHECK query -f tx -c amis -m pds5,pds6 --start "2026-11-22 06:00:00" --end "2026-11-23 06:00:00" --by total \
    --machine-until "$R/log/pds5=2026-11-23 06:00:00" --machine-until "$R/log/pds6=2026-11-23 03:00:00" \
    "$R/log/pds5/tx_amis.log" "$R/log/pds6/tx_amis.log" > "$T/amis.json"
python3 - "$T/amis.json" "$D" <<'EOF' && ok "amis's summary row = the independent arithmetic (files, bytes, errors, % late, p95)" || fail "amis's summary row = the independent arithmetic (files, bytes, errors, % late, p95)"
import json, re, sys
e = json.loads(open(sys.argv[1]).readline())
page = open(sys.argv[2]).read().replace("&#8239;", "")
m = re.search(r'<a href="#tx-amis">amis</a></td><td>pds5,pds6</td>((?:<td[^>]*>[^<]*</td>){5})', page)
cells = [c for c in re.findall(r">([^<]*)<", m.group(1)) if c]
assert e["files"] > 0
assert cells == [str(e["files"]), str(e["bytes"]), str(e["errors"]),
                 "%.1f %%" % (100.0 * e["filesOverMaxLatency"] / e["files"]), str(e["latency_p95"])], (cells, e)
EOF
statsQuery --root "$R" -c amis -m pds5,pds6 -s "2026-11-22 06:00:00" -e "2026-11-23 06:00:00" --by total --format json > "$T/amisq.json"
python3 - "$T/amisq.json" "$D" <<'EOF' && ok "amis's summary row = statsQuery --by total over the 24 hours" || fail "amis's summary row = statsQuery --by total over the 24 hours"
import json, re, sys
q = json.loads(open(sys.argv[1]).readline())
page = open(sys.argv[2]).read().replace("&#8239;", "")
m = re.search(r'<a href="#tx-amis">amis</a></td><td>pds5,pds6</td>((?:<td[^>]*>[^<]*</td>){5})', page)
cells = [c for c in re.findall(r">([^<]*)<", m.group(1)) if c]
assert cells[0] == str(q["files"]) and cells[1] == str(q["bytes"]) and cells[2] == str(q["errors"]), (cells, q)
assert cells[3] == "%.1f %%" % (100.0 * q["filesOverMaxLatency"] / q["files"]), (cells, q)
assert cells[4] == str(q["latency_p95"]), (cells, q)
EOF

# ---- in Chromium ---------------------------------------------------------------------
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null 2>&1; then
    fail "chromium is installed (make check installs it)"; exit 1
fi
timeout 120 python3 "$TOP/tests/e2e/pagecheck.py" --rows "status.html=$T/rows.json" "$ST" "$D" "$P/index.html"
python3 - "$T/rows.json" <<'EOF' && ok "chromium: pds6's row is rendered red, pds5's green" || fail "chromium: pds6's row is rendered red, pds5's green"
import json, sys
rows = {r["key"]: r for r in json.load(open(sys.argv[1]))}
red, green = "rgb(255, 153, 153)", "rgb(153, 255, 153)"
assert rows["machine:pds6"]["status"] == "bad" and rows["machine:pds6"]["background"] == red, rows
assert rows["machine:pds5"]["status"] == "ok" and rows["machine:pds5"]["background"] == green, rows
assert all(r["background"] == (red if r["status"] == "bad" else green) for r in rows.values()), rows
EOF

# ---- once pds6 catches up, its row turns green ---------------------------------------
statsUpdater --root "$R" -m pds6 -f tx -d "2026-11-23 06:00:00" && statsUpdater --root "$R" -m pds6 -f rx -d "2026-11-23 06:00:00"
echo "2026-11-23 06:20:00 pickleSync: px@pds6:22: synchronised" >> "$S/log/pickleSync.log"
# The next feed repairs the hours fed without pds6's data (rrdTransfer(1)).
expect_status 0 "rrdTransfer repairs the hours fed without pds6" rrdTransfer --root "$R" -m pds5,pds6 -f tx -e "2026-11-23 06:00:00"
expect_status 0 "rrdTransfer -f rx too" rrdTransfer --root "$R" -m pds5,pds6 -f rx -e "2026-11-23 06:00:00"
expect_status 0 "webPages after pds6 caught up" webPages --root "$R" --daily
check "pds6: green once collected, synchronised and its hours there" \
    sh -c "grep 'data-key=\"machine:pds6\"' '$ST' | grep -q 'class=\"ok\"'"
exit 0
