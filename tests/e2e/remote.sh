#!/bin/sh
# remote (libssh2) against a real sshd on 127.0.0.1: command output and exit
# status, quoting, uploads, strict host keys, key authentication, and the
# connect and run timeouts. Driven through the test helper pxssh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

if ! sshd_start; then fail "sshd starts on 127.0.0.1"; exit 1; fi
ok "sshd starts on 127.0.0.1:$SSHD_PORT"
conf=$TMPROOT/pxstats.conf
sshd_pxstats_conf "$conf"
px() { pxssh --config "$conf" "$@"; }

# Milliseconds since the epoch, and "did it end within N seconds".
ms() { date +%s%3N; }
within() { t0=$1 max=$2 d=$3; el=$(( $(ms) - t0 )); if [ "$el" -le $((max * 1000)) ]; then ok "$d (${el} ms)"; else fail "$d (${el} ms > ${max} s)"; fi; }

# ---- commands --------------------------------------------------------------
expect_status 7 "remote exit status comes back" px "127.0.0.1" sh -c 'echo out-line; echo err-line >&2; exit 7'
stdout_has '^out-line$' "remote stdout captured"
stderr_has '^err-line$' "remote stderr captured"
expect_status 0 "login@host:port form" px "$SSH_USER@localhost:$SSHD_PORT" true

canary=$TMPROOT/canary
expect_status 0 "awkward arguments run" px 127.0.0.1 printf '[%s]' "it's" '$(touch '"$canary"')' "; touch $canary" '`touch '"$canary"'`' 'a  b' ''
if [ "$(cat "$TMPROOT/.out")" = "[it's][\$(touch $canary)][; touch $canary][\`touch $canary\`][a  b][]" ]; then
    ok "arguments arrive verbatim"; else fail "arguments arrive verbatim: $(cat "$TMPROOT/.out")"; fi
if [ -e "$canary" ]; then fail "no argument injected a command"; else ok "no argument injected a command"; fi

# Both streams large at once: a reader that waits on one would deadlock.
expect_status 0 "3 MB on stdout and stderr together" px 127.0.0.1 sh -c \
    'head -c 3000000 /dev/zero | tr "\0" a & head -c 3000000 /dev/zero | tr "\0" b >&2; wait'
if [ "$(wc -c < "$TMPROOT/.out")" -eq 3000000 ] && [ "$(wc -c < "$TMPROOT/.err")" -eq 3000000 ]; then
    ok "all of both streams captured"; else fail "all of both streams captured"; fi

expect_status 143 "a command killed by TERM gives 128+15" px --raw 127.0.0.1 'kill -TERM $$'

# ---- uploads ---------------------------------------------------------------
mkdir -p "$TMPROOT/dest"
head -c 200000 /dev/urandom > "$TMPROOT/payload"
expect_status 0 "upload a file" px --upload "$TMPROOT/payload" "$TMPROOT/dest/24h.png" 127.0.0.1
same_files "uploaded file identical" "$TMPROOT/payload" "$TMPROOT/dest/24h.png"
if [ "$(stat -c %a "$TMPROOT/dest/24h.png")" = 644 ]; then ok "uploaded file mode 644"; else fail "uploaded file mode 644"; fi
echo second > "$TMPROOT/payload2"
expect_status 0 "upload replaces an existing file" px --upload "$TMPROOT/payload2" "$TMPROOT/dest/24h.png" 127.0.0.1
same_files "replaced whole" "$TMPROOT/payload2" "$TMPROOT/dest/24h.png"
if [ "$(ls -A "$TMPROOT/dest" | wc -l)" -eq 1 ]; then ok "no temporary left behind"; else fail "no temporary left behind: $(ls -A "$TMPROOT/dest")"; fi
expect_status 255 "upload into a missing directory fails" px --upload "$TMPROOT/payload" "$TMPROOT/nodir/x" 127.0.0.1
stderr_has "cannot create .*nodir" "and says where"

# ---- host keys -------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMPROOT/other_host" || fail "ssh-keygen"
echo "[127.0.0.1]:$SSHD_PORT $(cut -d' ' -f1,2 "$TMPROOT/other_host.pub")" > "$TMPROOT/kh_changed"
: > "$TMPROOT/kh_empty"
conf_with() { sed "s|^$1 = .*|$1 = $2|" "$conf" > "$TMPROOT/$3"; }
conf_with knownHosts "$TMPROOT/kh_changed" changed.conf
expect_status 255 "changed host key refused" pxssh --config "$TMPROOT/changed.conf" 127.0.0.1 touch "$canary"
stderr_has "HOST KEY CHANGED: the ssh-ed25519 key SHA256:[A-Za-z0-9+/]{43} does not match" "changed key: clear message with the fingerprint"
conf_with knownHosts "$TMPROOT/kh_empty" unknown.conf
expect_status 255 "unknown host key refused" pxssh --config "$TMPROOT/unknown.conf" 127.0.0.1 touch "$canary"
stderr_has "unknown host: .* is not in .*kh_empty: refused" "unknown key: clear message"
if [ -e "$canary" ]; then fail "nothing ran on a refused host"; else ok "nothing ran on a refused host"; fi
# The fingerprint in the message is one of the server's real keys.
fp1=$(ssh-keygen -l -f "$SSHD_DIR/host_key.pub" | cut -d' ' -f2)
fp2=$(ssh-keygen -l -f "$SSHD_DIR/host_key_ecdsa.pub" | cut -d' ' -f2)
if grep -qF -e "$fp1" -e "$fp2" "$TMPROOT/.err"; then ok "the fingerprint shown is the server's"; else fail "the fingerprint shown is the server's"; fi
conf_with knownHosts "$TMPROOT/absent" nokh.conf
expect_status 255 "missing known_hosts refused" pxssh --config "$TMPROOT/nokh.conf" 127.0.0.1 true
stderr_has "cannot read known_hosts file .*absent" "missing known_hosts: clear message"

# ---- user keys -------------------------------------------------------------
ssh-keygen -q -t ed25519 -N '' -f "$TMPROOT/stranger" || fail "ssh-keygen"
conf_with identity "$TMPROOT/stranger" stranger.conf
expect_status 255 "wrong user key refused" pxssh --config "$TMPROOT/stranger.conf" 127.0.0.1 touch "$canary"
stderr_has "authentication refused for $SSH_USER with the key .*stranger" "wrong key: clear message"
conf_with identity "$TMPROOT/nokey" nokey.conf
expect_status 255 "missing identity file refused" pxssh --config "$TMPROOT/nokey.conf" 127.0.0.1 true
stderr_has "cannot read identity file .*nokey" "missing key: clear message"
if [ -e "$canary" ]; then fail "nothing ran without authentication"; else ok "nothing ran without authentication"; fi

# ---- timeouts --------------------------------------------------------------
sed 's/^connectTimeout = .*/connectTimeout = 2/; s/^runTimeout = .*/runTimeout = 2/' "$conf" > "$TMPROOT/fast.conf"
closed=$(sshd_free_port)
t0=$(ms)
expect_status 255 "connection refused fails" pxssh --config "$TMPROOT/fast.conf" "127.0.0.1:$closed" true
within "$t0" 2 "connection refused ends at once"
stderr_has "127.0.0.1:$closed: cannot connect: Connection refused" "connection refused: clear message"

sshd_silent_start || fail "silent listener starts"
t0=$(ms)
expect_status 255 "a host that never answers fails" pxssh --config "$TMPROOT/fast.conf" "127.0.0.1:$SILENT_PORT" true
within "$t0" 4 "a host that never answers ends at the connect timeout"
stderr_has "timed out after 2 s during the ssh handshake" "never answers: clear message"

t0=$(ms)
expect_status 255 "a command outliving runTimeout is stopped" pxssh --config "$TMPROOT/fast.conf" 127.0.0.1 sleep 30
within "$t0" 5 "run timeout ends within its time"
stderr_has "timed out after 2 s during the remote command" "run timeout: clear message"

expect_status 2 "bad target is a usage error" px "a;b@127.0.0.1" true
stderr_has "unsafe login name" "bad target: names the cause"
