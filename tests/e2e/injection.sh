#!/bin/sh
# Untrusted text is data, never code (DESIGN.md §8, SECURITY.md): product
# names carrying backquotes, $(...), @macro, system("..."), quotes, '\',
# newlines, '%', ':' and very long names, from log lines (tx and rx) and from
# a snapshot another machine wrote, through the real programs with the real
# gnuplot and librrd: statsUpdater -> graphGen (-c, --all, -l, -p, -n) ->
# rrdTransfer -> rrdGraph -> webPages -> statsMonitor's mail (a fake sendmail
# on PATH keeps the message). The stats root itself holds ':', '%', '\',
# quotes, backquotes, '&' and '<', and clients and machines have the oddest
# valid names (and one of 128 characters). Every payload tries to create a
# marker file; the suite fails if one appears anywhere, and checks that each
# text shows up, escaped for its target, where it belongs.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1

W=$TMPROOT/work                       # the programs' working directory
mkdir -p "$W" "$TMPROOT/fakebin"
# A root that every target must take as data: ':' and '\:' for rrd_graph,
# quotes and backquotes for gnuplot, '&' and '<' for HTML, '%' for formats.
R="$TMPROOT/ro:o%s%n\\:t'\"\`touch PXSPWN0\`\$(touch PXSPWN0)@x&<b>"
mkdir -p "$R/log/m.1-x_y" "$R/stats" "$R/etc"
M=m.1-x_y
C1=c.1-x_y
C2=$(printf 'k%.0s' $(seq 1 128))     # the longest valid name
D="2026-01-10 12:05:00"
cat > "$R/etc/pxstats.conf" <<EOF
[graphics]
logFilesMachines = $M
[monitoring]
emails = ops@example.org
sendmail = $TMPROOT/fakebin/sendmail
EOF
cat > "$TMPROOT/fakebin/sendmail" <<EOF
#!/bin/sh
cat > "$TMPROOT/mail"
EOF
chmod +x "$TMPROOT/fakebin/sendmail"
run() { (cd "$W" && "$@" --root "$R" --config "$R/etc/pxstats.conf"); }

# --- the payloads: tx products (no space, no '/': a token's last component) --
python3 - "$TMPROOT" <<'EOF'
import sys
out = sys.argv[1]
tail = ":n:CWAO:SA:3:Direct:20000101000000"      # reception in 2000: the largest latency
tx = [
    "SA`touch${IFS}PXSPWN1`",
    "SA$(touch${IFS}PXSPWN2)",
    "SA@PXSMACRO@x",
    "SA'.system(\"touch${IFS}PXSPWN4\").'x",
    "SA\".system(\"touch${IFS}PXSPWN5\").\"x",
    "SA\\'.system(\"touch${IFS}PXSPWN6\").\\",
    "system(\"touch${IFS}PXSPWN7\")",
    "SA%s%n%x%%:a:b::c\\:d\\",
    "L" * 3000 + "`touch${IFS}PXSPWN9`",
]
# rx: the first colon field of the last '/' component: spaces allowed.
rx = ["$(touch PXSPWN10) 'q\" `touch PXSPWN11` @m system(\"touch PXSPWN12\") 50% \\"]
with open(out + "/tx.payloads", "wb") as f:
    for p in tx:
        f.write((p + tail).encode() + b"\n")
with open(out + "/rx.payloads", "wb") as f:
    for p in rx:
        f.write(p.encode() + b"\n")
# Three hours of ordinary lines, the payloads at 11:30 (tx) and 11:40 (rx),
# and the current hour (12:xx, for -n) with the payloads again.
def lines(ft, client, payloads):
    rows = []
    for h in (9, 10, 11, 12):
        for m in range(0, 60, 7):
            if ft == "tx":
                rows.append("2026-01-10 %02d:%02d:10,000 [INFO] (%d Bytes) File /q/SACN31_CWAO:n:CWAO:SA:3:Direct:20260110%02d%02d05 delivered" % (h, m, 100 + m, h, m))
            else:
                rows.append("2026-01-10 %02d:%02d:10,000 [INFO] (%d Bytes) Ingested in DB as /apps/px/db/20260110/SA/SACN31:CWAO:SA:3:Direct:20260110%02d%02d05" % (h, m, 100 + m, h, m))
        if h in (11, 12):
            for i, p in enumerate(payloads):
                t = "2026-01-10 %02d:%02d:%02d,000" % (h, 30 + i, i)
                if ft == "tx":
                    rows.append("%s [INFO] (%d Bytes) File /q/%s delivered" % (t, 50000 + i, p + tail))
                else:
                    rows.append("%s [INFO] (%d Bytes) Ingested in DB as /apps/px/db/x/%s:CWAO:SA:3:Direct:20260110000000" % (t, 50000 + i, p))
            rows.append("2026-01-10 %02d:59:00,000 [ERROR] cannot send `touch PXSPWN13` $(touch PXSPWN13)" % h)
    rows.sort()
    return "\n".join(rows) + "\n"
for client in ("c.1-x_y", "k" * 128):
    open("%s/tx_%s.log" % (out, client), "w").write(lines("tx", client, tx))
open("%s/rx_%s.log" % (out, "c.1-x_y"), "w").write(lines("rx", "c.1-x_y", rx))
EOF
cp "$TMPROOT/tx_$C1.log" "$TMPROOT/tx_$C2.log" "$TMPROOT/rx_$C1.log" "$R/log/$M/"

# --- a snapshot from another machine: products no log line can carry ----------
# (%XX is a byte for mkrowsnap: newlines, carriage returns, spaces.)
mkrowsnap "$R/stats/pickles/$C1/20260110/tx/${M}_09" --client "$C1" --machine "$M" --ft tx \
    --start "2026-01-10 09:00:00" <<'EOF'
2026-01-10 09:10:00 90000 900 x%0A!touch%20PXSPWN20%0Aset%20label%20'y 0
2026-01-10 09:11:00 80000 800 a%0Dsystem("touch%20PXSPWN21")%0D'%0A"%0A` 0
2026-01-10 09:12:00 70000 700 %09tab%0B%0C%1B[2J%7Fdel 0
2026-01-10 09:13:00 100 1 - 1
EOF

# --- statsUpdater ------------------------------------------------------------------
expect_status 0 "statsUpdater (tx) on the payload logs" run statsUpdater -m "$M" -d "$D"
expect_status 0 "statsUpdater (rx) on the payload logs" run statsUpdater -m "$M" -f rx -d "$D"
if [ -f "$R/stats/pickles/$C1/20260110/tx/${M}_11" ] && [ -f "$R/stats/pickles/$C2/20260110/tx/${M}_11" ] &&
   [ -f "$R/stats/pickles/$C1/20260110/rx/${M}_11" ]; then ok "the hour of the payloads is collected (tx, rx, the long name)"
else fail "the hour of the payloads is collected (tx, rx, the long name)"; find "$R/stats/pickles" -type f | sed 's/^/#   /'; fi

# gnuplot's quoting, told here independently: single quotes, ' doubled,
# control characters as '?'.
gq() { python3 -c '
import sys
s = sys.argv[1]
print("\x27" + "".join("?" if ord(c) < 32 or ord(c) == 127 else c for c in s).replace("\x27", "\x27\x27") + "\x27")' "$1"; }

# --- graphGen: every payload as the product filter (-p), in the labels -------------
n=0
while IFS= read -r product; do
    n=$((n + 1))
    expect_status 0 "graphGen -p payload $n: a PNG" run graphGen -c "$C1" -m "$M" -d "$D" -s 4 -p "$product"
    run graphGen -c "$C1" -m "$M" -d "$D" -s 4 -p "$product" --script > "$TMPROOT/p$n.gp" 2>/dev/null
    q=$(gq "$product")
    short=$(gq "$(printf '%s' "$product" | cut -c1-150)" | sed "s/'\$//")
    if grep -qF -- "set label $(gq "Product Type : $product") at screen" "$TMPROOT/p$n.gp" ||
       grep -qF -- "$short" "$TMPROOT/p$n.gp"; then
        ok "graphGen -p payload $n: the filter is in the labels, single-quoted"
    else fail "graphGen -p payload $n: the filter is in the labels, single-quoted"; grep 'Product Type' "$TMPROOT/p$n.gp" | head -n 1 | cut -c1-200 | sed 's/^/#   /'; fi
    if grep -qF -- "$(printf '%s' "$q" | cut -c1-60)" "$TMPROOT/p$n.gp"; then
        ok "graphGen -p payload $n: the file with the largest latency is labelled, quoted"
    else fail "graphGen -p payload $n: the file with the largest latency is labelled, quoted"; fi
done < "$TMPROOT/tx.payloads"
# -p with newlines, from the command line.
nl_filter=$(printf 'a\n!touch PXSPWN30\nset label "x')
expect_status 0 "graphGen -p with newlines: a PNG" run graphGen -c "$C1" -m "$M" -d "$D" -s 4 -p "$nl_filter"
run graphGen -c "$C1" -m "$M" -d "$D" -s 4 -p "$nl_filter" --script > "$TMPROOT/nl.gp" 2>/dev/null
if grep -qF "set label 'Product Type : a?!touch PXSPWN30?set label \"x' at screen" "$TMPROOT/nl.gp"; then
    ok "graphGen -p with newlines: one label, the newlines as '?'"; else fail "graphGen -p with newlines: one label, the newlines as '?'"; fi
# The other machine's snapshot (newlines, CR, escapes in products).
expect_status 0 "graphGen over the crafted snapshot: a PNG" run graphGen -c "$C1" -m "$M" -d "2026-01-10 10:00:00" -s 1
run graphGen -c "$C1" -m "$M" -d "2026-01-10 10:00:00" -s 1 --script > "$TMPROOT/snap.gp" 2>/dev/null
if grep -qF "set label 'Largest file : x?!touch PXSPWN20?set label ''y' at screen" "$TMPROOT/snap.gp"; then
    ok "a product with newlines from a snapshot: one quoted label"; else fail "a product with newlines from a snapshot: one quoted label"; fi
# Every script, as gnuplot will read it: no line begins with '!' or holds a
# backquote or '@' outside single quotes.
cat > "$TMPROOT/gpcheck.py" <<'EOF'
import sys
bad = 0
for name in sys.argv[1:]:
    block = False
    for n, line in enumerate(open(name, encoding="utf-8", errors="replace").read().split("\n"), 1):
        if block:
            block = line != "EOD"
            continue
        if line.startswith("$p") and line.endswith(" << EOD"):
            block = True
        if line.lstrip().startswith("!"):
            print("%s:%d: a shell command line" % (name, n)); bad += 1
        state, i = None, 0
        while i < len(line):
            c = line[i]
            if state == "'":
                if c == "'" and line[i + 1:i + 2] == "'": i += 1
                elif c == "'": state = None
            elif state == '"':
                if c == "\\": i += 1
                elif c == '"': state = None
                elif c in "`@": print("%s:%d: %r in double quotes" % (name, n, c)); bad += 1
            elif c in "'\"": state = c
            elif c in "`@": print("%s:%d: %r outside quotes" % (name, n, c)); bad += 1
            i += 1
        if state is not None:
            print("%s:%d: unbalanced quote" % (name, n)); bad += 1
        if state is None and line.endswith("\\"):
            print("%s:%d: continued line" % (name, n)); bad += 1
sys.exit(1 if bad else 0)
EOF
check "every script: no shell line, no backquote or '@' outside single quotes, quotes balanced" \
    python3 "$TMPROOT/gpcheck.py" "$TMPROOT"/*.gp

# --all, -l (the 24 h image of the web tree), -n (the current hour from the logs).
expect_status 0 "graphGen --all -l" run graphGen --all -l -m "$M" -d "$D"
expect_status 0 "graphGen --all -f rx -l" run graphGen --all -l -f rx -m "$M" -d "$D"
if [ -s "$R/stats/webGraphics/columbo/tx/$C1.png" ] && [ -s "$R/stats/webGraphics/columbo/tx/$C2.png" ]; then
    ok "-l: the 24 h images are in the web tree"; else fail "-l: the 24 h images are in the web tree"; fi
expect_status 0 "graphGen -n (payloads in the current hour, read from the logs)" \
    env PXS_NOW="2026-01-10 12:45:00" sh -c 'cd "$1" && shift && exec "$@"' _ "$W" \
    graphGen --root "$R" --config "$R/etc/pxstats.conf" -c "$C1,$C2" -m "$M" -n -s 2
expect_status 0 "graphGen -n -f rx" \
    env PXS_NOW="2026-01-10 12:45:00" sh -c 'cd "$1" && shift && exec "$@"' _ "$W" \
    graphGen --root "$R" --config "$R/etc/pxstats.conf" -c "$C1" -f rx -m "$M" -n -s 2
env PXS_NOW="2026-01-10 12:45:00" sh -c 'cd "$1" && shift && exec "$@"' _ "$W" \
    graphGen --root "$R" --config "$R/etc/pxstats.conf" -c "$C1" -f rx -m "$M" -n -s 2 --script > "$TMPROOT/rx.gp" 2>/dev/null
rxp=$(head -n 1 "$TMPROOT/rx.payloads")
if grep -qF -- "$(gq "$rxp" | cut -c1-40)" "$TMPROOT/rx.gp"; then
    ok "an rx product with spaces and quotes: one quoted label"; else fail "an rx product with spaces and quotes: one quoted label"; fi
check "the -n and rx scripts pass the same checks" python3 "$TMPROOT/gpcheck.py" "$TMPROOT/rx.gp"

# --- rrdTransfer, rrdGraph: the root's ':' '\' '%' in every DEF ----------------------
expect_status 0 "rrdTransfer" run rrdTransfer -m "$M" -e "$D"
expect_status 0 "rrdTransfer -f rx" run rrdTransfer -f rx -m "$M" -e "$D"
ndb=$(find "$R/stats/databases" -type f | wc -l)
if [ "$ndb" -ge 10 ]; then ok "databases made ($ndb)"; else fail "databases made ($ndb)"; fi
expect_status 0 "rrdGraph -d (DEFs through the root's ':' and '\\:')" run rrdGraph --machines "$M" -d --date "$D"
expect_status 0 "rrdGraph -w -l" run rrdGraph --machines "$M" -w -l --date "$D"
expect_status 0 "rrdGraph --totals" run rrdGraph --machines "$M" -d --totals --date "$D"
npng=$(find "$R/stats/graphs" -path '*rrdgraphs*' -name '*.png' -size +1k | wc -l)
if [ "$npng" -ge 15 ]; then ok "rrd graphs drawn ($npng)"; else fail "rrd graphs drawn ($npng)"; fi

# --- webPages --------------------------------------------------------------------------
expect_status 0 "webPages --images" run webPages --images --all --date "$D"
expect_status 0 "webPages --all" run webPages --all --date "$D"
if grep -qF ">$C2</td>" "$R/stats/webPages/dailyGraphs.html" && grep -qF ">$C1</td>" "$R/stats/webPages/dailyGraphs.html"; then
    ok "the pages name the clients"; else fail "the pages name the clients"; fi
if ! grep -qE 'PXSPWN|<b>' "$R/stats/webPages/"*.html; then ok "no payload and no raw markup in the pages"
else fail "no payload and no raw markup in the pages"; fi

# --- statsMonitor's mail -------------------------------------------------------------
PXS_NOW="2026-01-10 12:50:00" run env PATH="$TMPROOT/fakebin:$PATH" statsMonitor >"$TMPROOT/.out" 2>"$TMPROOT/.err"
if [ -s "$TMPROOT/mail" ]; then ok "statsMonitor mailed its report"; else fail "statsMonitor mailed its report"; sed 's/^/#   /' "$TMPROOT/.err" | head -n 5; fi
cat > "$TMPROOT/mailcheck.py" <<'EOF'
import html, sys
from email import policy
from email.parser import BytesParser
raw = open(sys.argv[1], "rb").read()
root = sys.argv[2] + "/stats"
m = BytesParser(policy=policy.default).parsebytes(raw)
bad = 0
for name, value in m.items():
    if "\n" in str(value) or "\r" in str(value):
        print("header %s spans lines" % name); bad += 1
text = html_part = None
for part in m.iter_parts():
    if part.get_content_type() == "text/plain": text = part.get_content()
    if part.get_content_type() == "text/html": html_part = part.get_content()
if text is None or html_part is None:
    print("a part is missing"); sys.exit(1)
if root not in text:
    print("the text part lacks the stats directory as it is"); bad += 1
if html.escape(root, quote=True).replace("&#x27;", "&#39;") not in html_part:
    print("the HTML part lacks the stats directory escaped"); bad += 1
if root in html_part:
    print("the stats directory unescaped in the HTML part"); bad += 1
for c in text + html_part:
    if ord(c) < 32 and c not in "\t\n\r":
        print("a control character %r in a part" % c); bad += 1; break
sys.exit(1 if bad else 0)
EOF
check "the mail: the root as text in the plain part, escaped in the HTML part, one line per header" \
    python3 "$TMPROOT/mailcheck.py" "$TMPROOT/mail" "$R"

# --- no marker anywhere -----------------------------------------------------------------
markers=$( { find "$TMPROOT" -name 'PXSPWN*' -o -name 'PXSMACRO*'; \
             find /tmp "$TOP" "${HOME:-/nonexistent}" -maxdepth 2 -name 'PXSPWN*' 2>/dev/null; } | sort -u)
if [ -z "$markers" ]; then ok "no payload ran: no marker file anywhere"
else fail "no payload ran: no marker file anywhere"; echo "$markers" | sed 's/^/#   /'; fi
left=$(find "$R/stats" -name '.*.??????')
if [ -z "$left" ]; then ok "no temporary left"; else fail "no temporary left"; echo "$left" | head -n 3 | sed 's/^/#   /'; fi
