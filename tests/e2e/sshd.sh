# A throwaway sshd for the end-to-end suites. Source it after lib.sh:
#
#     . "$(dirname "$0")/lib.sh"
#     . "$(dirname "$0")/sshd.sh"
#     sshd_start || { fail "sshd could not start"; exit 1; }
#
# sshd_start generates host and user keys under $TMPROOT/sshd, starts the real
# /usr/sbin/sshd -D with its own config on 127.0.0.1 and a free unprivileged
# port as the current user (root included), waits until it answers, writes a
# known_hosts file naming both 127.0.0.1 and localhost on that port, and
# exports:
#     SSHD_PORT         the port
#     SSH_USER          the login (the current user)
#     SSH_KEY           the user's private key (ed25519, no passphrase)
#     SSH_KNOWN_HOSTS   known_hosts holding the host key
#     SSH_RSH           an ssh command line for rsync -e (strict host keys, batch mode)
#     SSHD_DIR          where all of it lives (sshd's log is $SSHD_DIR/sshd.log)
# The server has an ECDSA and an Ed25519 host key, and known_hosts records
# only the Ed25519 one (host_key.pub), as on a site whose known_hosts predates
# a new key type: a client must ask for the key type it knows.
# It registers sshd_stop with on_exit, so sshd is stopped when the suite ends,
# whether its tests passed, failed or it was interrupted.
#
# sshd_pxstats_conf FILE appends the [ssh] section that points pxstats at the
# same key, known_hosts and port (pxstats.conf syntax).
#
# sshd_free_port prints a TCP port that nobody listens on (for "connection
# refused" cases); sshd_silent_start starts a listener that accepts and never
# speaks (for "host that never answers") and exports SILENT_PORT.

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}
_sshd_pid=""
_silent_pid=""

sshd_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits (up to 10 s) until something listens on 127.0.0.1:$1.
_sshd_wait_port() {
    python3 - "$1" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

sshd_start() {
    SSHD_DIR=$TMPROOT/sshd
    mkdir -p "$SSHD_DIR" || return 1
    chmod 700 "$SSHD_DIR"
    rm -f "$SSHD_DIR"/host_key* "$SSHD_DIR"/user_key*
    ssh-keygen -q -t ed25519 -N '' -C pxs-e2e-host -f "$SSHD_DIR/host_key" || return 1
    ssh-keygen -q -t ecdsa -N '' -C pxs-e2e-host -f "$SSHD_DIR/host_key_ecdsa" || return 1
    ssh-keygen -q -t ed25519 -N '' -C pxs-e2e-user -f "$SSHD_DIR/user_key" || return 1
    cp "$SSHD_DIR/user_key.pub" "$SSHD_DIR/authorized_keys"
    chmod 600 "$SSHD_DIR/authorized_keys"
    SSH_USER=$(id -un)
    # sshd as root needs its privilege-separation directory; as another user
    # it runs without privilege separation and needs none.
    if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi
    _sshd_tries=0
    while [ $_sshd_tries -lt 5 ]; do
        _sshd_tries=$((_sshd_tries + 1))
        SSHD_PORT=$(sshd_free_port) || return 1
        _sshd_write_config
        "$SSHD_BIN" -D -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" &
        _sshd_pid=$!
        on_exit sshd_stop
        if _sshd_wait_port "$SSHD_PORT" && kill -0 "$_sshd_pid" 2>/dev/null; then break; fi
        sshd_stop   # the port was taken in between: try another
    done
    [ -n "$_sshd_pid" ] || { sed 's/^/#   /' "$SSHD_DIR/sshd.log" | head -n 5; return 1; }
    _sshd_hostkey=$(cut -d' ' -f1,2 "$SSHD_DIR/host_key.pub")
    {
        echo "[127.0.0.1]:$SSHD_PORT $_sshd_hostkey"
        echo "[localhost]:$SSHD_PORT $_sshd_hostkey"
    } > "$SSHD_DIR/known_hosts"
    SSH_KEY=$SSHD_DIR/user_key
    SSH_KNOWN_HOSTS=$SSHD_DIR/known_hosts
    SSH_RSH="ssh -p $SSHD_PORT -i $SSH_KEY -o IdentitiesOnly=yes -o UserKnownHostsFile=$SSH_KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=5"
    export SSHD_PORT SSH_USER SSH_KEY SSH_KNOWN_HOSTS SSH_RSH SSHD_DIR
}

_sshd_write_config() {
    # StrictModes off: the keys live under /tmp, whose mode sshd would refuse.
    # UsePAM only as root (PAM's account checks need it for a root sshd; a
    # non-root sshd cannot use PAM at all).
    if [ "$(id -u)" -eq 0 ]; then _sshd_pam=yes; else _sshd_pam=no; fi
    cat > "$SSHD_DIR/sshd_config" <<EOF
Port $SSHD_PORT
ListenAddress 127.0.0.1
HostKey $SSHD_DIR/host_key_ecdsa
HostKey $SSHD_DIR/host_key
PidFile $SSHD_DIR/sshd.pid
AuthorizedKeysFile $SSHD_DIR/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM $_sshd_pam
Subsystem sftp internal-sftp
LogLevel VERBOSE
MaxStartups 50
EOF
}

sshd_stop() {
    if [ -n "$_sshd_pid" ]; then
        kill "$_sshd_pid" 2>/dev/null
        wait "$_sshd_pid" 2>/dev/null
        _sshd_pid=""
    fi
    if [ -n "$_silent_pid" ]; then
        kill "$_silent_pid" 2>/dev/null
        wait "$_silent_pid" 2>/dev/null
        _silent_pid=""
    fi
}

sshd_pxstats_conf() {
    cat >> "$1" <<EOF
[ssh]
identity = $SSH_KEY
knownHosts = $SSH_KNOWN_HOSTS
port = $SSHD_PORT
connectTimeout = 5
runTimeout = 30
EOF
}

# A TCP listener on 127.0.0.1 that accepts connections and never sends a
# byte: an ssh server that hangs before its banner.
sshd_silent_start() {
    SILENT_PORT=$(sshd_free_port) || return 1
    python3 - "$SILENT_PORT" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    c, _ = s.accept()
    held.append(c)
EOF
    _silent_pid=$!
    on_exit sshd_stop
    _sshd_wait_port "$SILENT_PORT" || return 1
    export SILENT_PORT
}
