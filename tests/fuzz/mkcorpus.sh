#!/bin/sh
# Regenerates the seed corpora tests/fuzz/corpus/<target>/ from real-shaped
# inputs: log lines of every kind and log files written by the loggen test
# helper (--noise), snapshots and state files that bin/statsUpdater writes
# from those logs, and the sample config. Needs `make all` first.
# The corpora are committed; run this again when a format changes.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
C=tests/fuzz/corpus
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pxs-corpus.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Only the named seeds below are (re)written: the inputs named by their SHA-1
# were added by `fuzz_<target> -merge=1 tests/fuzz/corpus/<target> <grown corpus>`
# after `make fuzz` runs, for the coverage they add.
mkdir -p "$C/fuzz_logline" "$C/fuzz_logscan" "$C/fuzz_snapshot" "$C/fuzz_config" "$C/fuzz_state" \
    "$C/fuzz_gnuplot"

# seed <target> <name> <first byte in octal> <file>: the byte, then the file.
seed() { { printf "\\$3"; cat "$4"; } > "$C/$1/$2"; }

# --- logs: two machines of noisy logs over two days, rotated files gzipped.
root=$tmp/root
mkdir -p "$root/log" "$root/stats"
build/tests/loggen --logdir "$root/log" --clients 2 --sources 1 --start "2026-01-10 00:00:00" \
    --days 2 --rate 400 --noise --gzip-rotated -q

# --- log lines: a sample of every kind, each as tx and rx, with and without errors.
{
    cat <<'LINES'
2006-10-08 00:24:36,616 [INFO] (130 Bytes) Bulletin SACN31_CWAO_300651___0006:file:CWAO:SA:3:Direct:20061008002431  delivered
2006-10-08 00:24:37,102 [INFO] (7124 Bytes) File /apps/px/txq/amis/3/2006100800/SXUS23_KWBC_080024_RRX:ncp2:KWBC:SX:3:Direct:20061008002402 delivered to ftp://pds@wxo-b1:/data/in/
2006-10-08 00:24:36,556 [INFO] (107 Bytes) Ingested in DB as /apps/px/db/20061008/SM/file/CWAO/SMCN37_CWAO_300651___0001:file:CWAO:SM:3:Direct:20061008002436
2006-10-08 00:24:38,001 [ERROR] Unable to connect to wxo-b1: Connection refused
2006-10-08 00:24:39,000 [INFO] (4096 Bytes/sec) transfer rate
2006-10-08 00:24:40,000 [INFO] (512 Bytes) Segment 3 of bulletin SACN31
2006-10-08 00:24:41,000 [WARNING] SEND TIMEOUT (12 Bytes)
2006-10-08 00:24:42,000 [DEBUG] nothing to send
2006-10-08 [INFO] (12 Bytes) no time
2006-10-08 00:24:43,000 [INFO] (many Bytes) File /a/b:c:d:e:f:g:20061008002402 delivered
2006-10-08 00:24:44,000 [INFO] (12 Bytes) File /a/b:c:d:e:f:g:2006100800240 delivered
2006-10-08 23:59:59,999 [INFO] (1 Bytes) File /q/X:s:S:T:1:F:20061007000000 delivered to x
Traceback (most recent call last):
LINES
    # Real generated lines, a few of each shape (the noise included).
    for f in "$root"/log/*.log; do awk 'NR % 97 == 1' "$f" | head -n 12; done
} > "$tmp/lines"
i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s' "$line" > "$tmp/line"
    seed fuzz_logline "line$i-tx" 002 "$tmp/line"
    seed fuzz_logline "line$i-rx" 003 "$tmp/line"
done < "$tmp/lines"

# --- log files: the first lines of each live file, a rotated one, and the
# gzip flag; the start offset and stop index are in bytes 1-3.
n=0
for f in "$root"/log/*.log "$root"/log/*.log.????-??-??; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    head -c 3000 "$f" > "$tmp/head"
    case "$f" in */rx_*) ft=1 ;; *) ft=0 ;; esac
    { printf "\\$(printf %o $((ft | 2)))\\000\\000\\000"; cat "$tmp/head"; } > "$C/fuzz_logscan/file$n"
    { printf "\\$(printf %o $((ft | 6)))\\220\\001\\005"; cat "$tmp/head"; } > "$C/fuzz_logscan/file$n-gz-offset"
    # An over-long line (two 0xFE: over PXS_LINE_MAX), in the first file only:
    # reading megabytes per input would slow the fuzzer down.
    [ $n -ne 1 ] ||
    { printf "\\$(printf %o $((ft | 10)))\\000\\000\\002"; head -c 700 "$tmp/head"; printf '\376\376\n'; head -c 500 "$tmp/head"; } > "$C/fuzz_logscan/file$n-long"
done

# --- snapshots and state: statsUpdater over the first day, then the second.
bin/statsUpdater --root "$root" -m pds1 -f tx -d "2026-01-11 00:00:00" >/dev/null 2>&1 || true
bin/statsUpdater --root "$root" -m pds1 -f rx -d "2026-01-11 00:00:00" >/dev/null 2>&1 || true
bin/statsUpdater --root "$root" -m pds1 -f tx -d "2026-01-11 06:30:00" -n >/dev/null 2>&1 || true
n=0
for f in $(find "$root/stats/pickles" -type f | sort | awk 'NR % 5 == 1' | head -n 12); do
    n=$((n + 1))
    seed fuzz_snapshot "snap$n" 000 "$f"
    # The payload alone, for the wrapping mode (past the CRC).
    python3 -c 'import sys, zlib; d = open(sys.argv[1], "rb").read(); sys.stdout.buffer.write(b"\x01" + zlib.decompress(d[24:]))' "$f" > "$C/fuzz_snapshot/payload$n"
done
for f in PICKLED-TIMES PICKLED_FILE_POSITIONS; do
    [ -f "$root/stats/$f" ] || { echo "mkcorpus: statsUpdater wrote no $f" >&2; exit 1; }
done
seed fuzz_state times 000 "$root/stats/PICKLED-TIMES"
seed fuzz_state positions 001 "$root/stats/PICKLED_FILE_POSITIONS"
printf '# comment\npds5 tx_a 2026-01-10 00:00:00\npds5 rx_b 2026-01-10\n' > "$tmp/t"
seed fuzz_state times-short 000 "$tmp/t"
printf '/a%%20b/tx_c.log 2049 12 256:0badf00d 1234 pds5 tx_c\n' > "$tmp/p"
seed fuzz_state positions-escaped 001 "$tmp/p"

# --- config: the sample, and small files with every kind of line.
cp etc/pxstats.conf.sample "$C/fuzz_config/sample"
printf '[collection]\nmaxLatency = 30\n; c\n# c\n\n[paths]\nroot=/x\n' > "$C/fuzz_config/small"
printf '[collection]\nmaxLatency = 99999999999999999999\n' > "$C/fuzz_config/big-int"
printf '[a]\nkey\n' > "$C/fuzz_config/no-equals"
printf '[a\nk = v\n' > "$C/fuzz_config/bad-section"
printf ' = v\n' > "$C/fuzz_config/empty-key"
# --- gnuplot: a product, NUL, a -p filter; every payload of the injection suite.
G=$C/fuzz_gnuplot
printf 'SA`touch${IFS}PWNED`:n:C:SA:3:D:20000101000000\0SA*' > "$G/backquote"
printf "it's\0a'b''c" > "$G/quotes"
printf 'x@macro\0@y' > "$G/macro"
printf '$(touch m)\0system("touch m")' > "$G/dollar"
printf 'line1\nline2\r\0filter\nnext' > "$G/newlines"
printf 'tail\\\0back\\\\slash\\' > "$G/backslash"
printf 'caf\303\251 \342\202\254\0\377\300\257\355\240\200' > "$G/utf8"
printf '%%s%%n:%%x\0All' > "$G/percent"
python3 -c 'import sys; sys.stdout.buffer.write(b"L" * 5000 + b"\0" + b"F" * 300)' > "$G/long"
: > "$G/empty"
echo "corpora: $(find "$C" -type f | wc -l) files"
