/* remote — ssh through libssh2 (contract in remote.h).
 *
 * The session runs non-blocking throughout: every libssh2 call that would
 * block returns LIBSSH2_ERROR_EAGAIN and we poll the socket until a deadline.
 * That is what gives every step a real timeout (a server that accepts the
 * TCP connection and never speaks must not hang a cron job), and it lets one
 * loop drain stdout and stderr together, so that a command filling one
 * stream's window while we wait on the other cannot deadlock. */
#include "pxstats/remote.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

struct pxs_ssh {
    int fd;
    LIBSSH2_SESSION *session;
    char *name;          /* login@host:port, for messages */
    int run_timeout;
};

/* ---- options and targets ---------------------------------------------- */

static char *expand_home(const char *path)
{
    if (path[0] == '~' && (path[1] == '/' || path[1] == '\0')) {
        const char *home = getenv("HOME");
        if (home == NULL) {
            struct passwd *pw = getpwuid(geteuid());
            home = pw != NULL ? pw->pw_dir : "";
        }
        return xasprintf("%s%s", home, path + 1);
    }
    return xstrdup(path);
}

static char *default_identity(void)
{
    char *ed = expand_home("~/.ssh/id_ed25519");
    if (access(ed, F_OK) == 0)
        return ed;
    free(ed);
    return expand_home("~/.ssh/id_rsa");
}

int pxs_ssh_opts_from_config(const pxs_config *cfg, pxs_ssh_opts *o)
{
    memset(o, 0, sizeof *o);
    long port, ct, rt;
    if (pxs_conf_get_int(cfg, "ssh", "port", 22, 1, 65535, &port) < 0 ||
        pxs_conf_get_int(cfg, "ssh", "connectTimeout", 10, 1, 86400, &ct) < 0 ||
        pxs_conf_get_int(cfg, "ssh", "runTimeout", 600, 1, 7 * 86400, &rt) < 0)
        return -1;
    const char *id = pxs_conf_get(cfg, "ssh", "identity", NULL);
    o->identity = id != NULL && *id != '\0' ? expand_home(id) : default_identity();
    o->known_hosts = expand_home(pxs_conf_get(cfg, "ssh", "knownHosts", "~/.ssh/known_hosts"));
    o->port = (int)port;
    o->connect_timeout = (int)ct;
    o->run_timeout = (int)rt;
    return 0;
}

void pxs_ssh_opts_free(pxs_ssh_opts *o)
{
    free(o->identity);
    free(o->known_hosts);
    memset(o, 0, sizeof *o);
}

static char *current_user(void)
{
    struct passwd *pw = getpwuid(geteuid());
    if (pw != NULL)
        return xstrdup(pw->pw_name);
    const char *u = getenv("USER");
    return xstrdup(u != NULL ? u : "");
}

static int parse_port(const char *text, const char *p, int *port)
{
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (*p < '0' || *p > '9' || *end != '\0' || errno != 0 || v < 1 || v > 65535) {
        pxs_set_error("bad port in '%s' (want 1-65535)", text);
        return -1;
    }
    *port = (int)v;
    return 0;
}

int pxs_ssh_target_parse(const char *text, const char *def_login, int def_port,
                         pxs_ssh_target *t)
{
    memset(t, 0, sizeof *t);
    const char *at = strchr(text, '@');
    const char *hoststart = at != NULL ? at + 1 : text;
    const char *colon = strchr(hoststart, ':');
    char *login = at != NULL ? xstrndup(text, (size_t)(at - text))
                  : def_login != NULL ? xstrdup(def_login) : current_user();
    char *host = colon != NULL ? xstrndup(hoststart, (size_t)(colon - hoststart))
                               : xstrdup(hoststart);
    int port = def_port > 0 ? def_port : 22;
    if (pxs_name_check("login", login) < 0 || pxs_name_check("host", host) < 0 ||
        (colon != NULL && parse_port(text, colon + 1, &port) < 0)) {
        free(login);
        free(host);
        return -1;
    }
    t->login = login;
    t->host = host;
    t->port = port;
    return 0;
}

char *pxs_ssh_target_name(const pxs_ssh_target *t)
{
    return xasprintf("%s@%s:%d", t->login, t->host, t->port);
}

void pxs_ssh_target_free(pxs_ssh_target *t)
{
    free(t->login);
    free(t->host);
    memset(t, 0, sizeof *t);
}

/* ---- quoting ------------------------------------------------------------ */

char *pxs_sh_quote(const char *arg)
{
    size_t quotes = 0;
    for (const char *p = arg; *p; p++)
        quotes += *p == '\'';
    char *out = xmalloc(strlen(arg) + 3 * quotes + 3);
    char *w = out;
    *w++ = '\'';
    for (const char *p = arg; *p; p++) {
        if (*p == '\'') {
            /* close the quote, an escaped quote, reopen */
            memcpy(w, "'\\''", 4);
            w += 4;
        } else {
            *w++ = *p;
        }
    }
    *w++ = '\'';
    *w = '\0';
    return out;
}

char *pxs_sh_command(char *const argv[])
{
    size_t cap = 1, len = 0;
    char *out = xmalloc(cap);
    out[0] = '\0';
    for (size_t i = 0; argv[i] != NULL; i++) {
        char *q = pxs_sh_quote(argv[i]);
        size_t ql = strlen(q);
        xgrow((void **)&out, &cap, len + ql + 2, 1);
        if (i > 0)
            out[len++] = ' ';
        memcpy(out + len, q, ql + 1);
        len += ql;
        free(q);
    }
    return out;
}

/* ---- time and waiting --------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until the socket is ready in the direction libssh2 is blocked on.
 * Returns 0, or -1 when the deadline passed. */
static int wait_socket(pxs_ssh *s, int64_t deadline)
{
    int64_t left = deadline - now_ms();
    if (left <= 0)
        return -1;
    int dir = libssh2_session_block_directions(s->session);
    struct pollfd p = {.fd = s->fd, .events = 0};
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
        p.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
        p.events |= POLLOUT;
    if (p.events == 0)
        p.events = POLLIN;
    int rc = poll(&p, 1, left > 1000 ? 1000 : (int)left);
    if (rc < 0 && errno != EINTR)
        return -1;
    return 0;
}

/* Repeats a libssh2 call returning an int while it would block. */
#define SSH_RETRY(s, deadline, rc, call)                                  \
    while (((rc) = (call)) == LIBSSH2_ERROR_EAGAIN) {                     \
        if (wait_socket((s), (deadline)) < 0)                             \
            break;                                                        \
    }

/* The same for calls returning a pointer (NULL + EAGAIN while blocked). */
#define SSH_RETRY_PTR(s, deadline, ptr, call)                                              \
    while (((ptr) = (call)) == NULL &&                                                     \
           libssh2_session_last_errno((s)->session) == LIBSSH2_ERROR_EAGAIN) {             \
        if (wait_socket((s), (deadline)) < 0)                                              \
            break;                                                                         \
    }

static const char *ssh_last_error(pxs_ssh *s)
{
    char *msg = NULL;
    libssh2_session_last_error(s->session, &msg, NULL, 0);
    return msg != NULL && *msg != '\0' ? msg : "unknown libssh2 error";
}

/* Sets pxs_error for a failed step: timeout or libssh2's own message. */
static void step_error(pxs_ssh *s, int rc, const char *step, int timeout)
{
    if (rc == LIBSSH2_ERROR_EAGAIN || rc == LIBSSH2_ERROR_TIMEOUT)
        pxs_set_error("%s: timed out after %d s during %s", s->name, timeout, step);
    else
        pxs_set_error("%s: %s failed: %s", s->name, step, ssh_last_error(s));
}

/* ---- connecting --------------------------------------------------------- */

/* One non-blocking connect attempt; returns the socket or -1 (errno set;
 * ETIMEDOUT when the deadline passed). */
static int connect_addr(const struct addrinfo *ai, int64_t deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    while (errno == EINPROGRESS || errno == EINTR) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            break;
        }
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int rc = poll(&p, 1, (int)left);
        if (rc > 0) {
            int err = 0;
            socklen_t len = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
                break;
            if (err == 0)
                return fd;
            errno = err;
            break;
        }
        if (rc == 0)
            errno = ETIMEDOUT;
        else if (errno != EINTR)
            break;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

static int tcp_connect(pxs_ssh *s, const pxs_ssh_target *t, int timeout, int64_t deadline)
{
    char port[16];
    snprintf(port, sizeof port, "%d", t->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(t->host, port, &hints, &res);
    if (rc != 0) {
        pxs_set_error("%s: cannot resolve %s: %s", s->name, t->host, gai_strerror(rc));
        return -1;
    }
    int err = ECONNREFUSED;
    for (struct addrinfo *ai = res; ai != NULL && s->fd < 0; ai = ai->ai_next) {
        s->fd = connect_addr(ai, deadline);
        if (s->fd < 0)
            err = errno;
    }
    freeaddrinfo(res);
    if (s->fd >= 0)
        return 0;
    if (err == ETIMEDOUT)
        pxs_set_error("%s: timed out after %d s connecting", s->name, timeout);
    else
        pxs_set_error("%s: cannot connect: %s", s->name, strerror(err));
    return -1;
}

static int knownhost_keybit(int type)
{
    switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
    }
}

static const char *hostkey_type_name(int type)
{
    switch (type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
    default: return "unknown key type";
    }
}

/* "SHA256:<base64 without padding>", as ssh-keygen -l prints it, so that an
 * operator can compare the refused key with the server's. */
static void fingerprint(pxs_ssh *s, char *out, size_t size)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *h =
        (const unsigned char *)libssh2_hostkey_hash(s->session, LIBSSH2_HOSTKEY_HASH_SHA256);
    if (h == NULL) {
        snprintf(out, size, "no fingerprint");
        return;
    }
    size_t w = (size_t)snprintf(out, size, "SHA256:");
    for (int i = 0; i < 32 && w + 5 < size; i += 3) {
        uint32_t v = (uint32_t)h[i] << 16;
        int n = 32 - i >= 3 ? 3 : 32 - i;
        if (n > 1)
            v |= (uint32_t)h[i + 1] << 8;
        if (n > 2)
            v |= h[i + 2];
        for (int k = 0; k <= n; k++)
            out[w++] = b64[(v >> (18 - 6 * k)) & 63];
    }
    out[w] = '\0';
}

/* Reads the known_hosts file (before the handshake: a missing file is the
 * operator's to fix, whatever the server says). */
static LIBSSH2_KNOWNHOSTS *load_known_hosts(pxs_ssh *s, const char *known_hosts)
{
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(s->session);
    if (kh == NULL) {
        pxs_set_error("%s: cannot check host keys: %s", s->name, ssh_last_error(s));
        return NULL;
    }
    errno = 0;
    if (access(known_hosts, R_OK) < 0 ||
        libssh2_knownhost_readfile(kh, known_hosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
        pxs_set_error("%s: cannot read known_hosts file %s: %s", s->name, known_hosts,
                      errno != 0 ? strerror(errno) : "not in OpenSSH format");
        libssh2_knownhost_free(kh);
        return NULL;
    }
    return kh;
}

/* The host key algorithms of one known_hosts key type. */
static const char *algorithms_of(int keybits)
{
    switch (keybits) {
    case LIBSSH2_KNOWNHOST_KEY_ED25519: return "ssh-ed25519";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_KNOWNHOST_KEY_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_KNOWNHOST_KEY_SSHRSA: return "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
    case LIBSSH2_KNOWNHOST_KEY_SSHDSS: return "ssh-dss";
    default: return NULL;
    }
}

/* Asks the server for a key of a type known_hosts holds for this host, as
 * OpenSSH does: a server offering, say, ECDSA first while only its RSA key
 * was recorded must not be refused as unknown. Hashed entries cannot be
 * matched by name here; then libssh2's default order stands. */
static void prefer_known_types(pxs_ssh *s, LIBSSH2_KNOWNHOSTS *kh, const pxs_ssh_target *t)
{
    char bracketed[PXS_NAME_MAX + 16];
    snprintf(bracketed, sizeof bracketed, "[%s]:%d", t->host, t->port);
    char prefs[512] = "";
    struct libssh2_knownhost *e = NULL;
    while (libssh2_knownhost_get(kh, &e, e) == 0) {
        if (e->name == NULL ||
            (strcmp(e->name, bracketed) != 0 && strcmp(e->name, t->host) != 0))
            continue;
        const char *alg = algorithms_of(e->typemask & LIBSSH2_KNOWNHOST_KEY_MASK);
        if (alg == NULL || strstr(prefs, alg) != NULL ||
            strlen(prefs) + strlen(alg) + 2 > sizeof prefs)
            continue;
        if (prefs[0] != '\0')
            strcat(prefs, ",");
        strcat(prefs, alg);
    }
    /* A type this libssh2 cannot do is refused here: keep the defaults. */
    if (prefs[0] != '\0')
        libssh2_session_method_pref(s->session, LIBSSH2_METHOD_HOSTKEY, prefs);
}

static int check_host_key(pxs_ssh *s, const pxs_ssh_target *t, LIBSSH2_KNOWNHOSTS *kh,
                          const char *known_hosts)
{
    size_t len;
    int type;
    const char *key = libssh2_session_hostkey(s->session, &len, &type);
    if (key == NULL) {
        pxs_set_error("%s: the server sent no host key", s->name);
        return -1;
    }
    struct libssh2_knownhost *found = NULL;
    int check = libssh2_knownhost_checkp(kh, t->host, t->port, key, len,
                                         LIBSSH2_KNOWNHOST_TYPE_PLAIN |
                                             LIBSSH2_KNOWNHOST_KEYENC_RAW | knownhost_keybit(type),
                                         &found);
    if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH)
        return 0;
    char fp[64];
    fingerprint(s, fp, sizeof fp);
    if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH)
        pxs_set_error("%s: HOST KEY CHANGED: the %s key %s does not match %s: refused "
                      "(if the change is expected, fix the entry of %s)",
                      s->name, hostkey_type_name(type), fp, known_hosts, t->host);
    else if (check == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND)
        pxs_set_error("%s: unknown host: its %s key %s is not in %s: refused "
                      "(add it there after checking it)",
                      s->name, hostkey_type_name(type), fp, known_hosts);
    else
        pxs_set_error("%s: cannot check the host key against %s: refused", s->name, known_hosts);
    return -1;
}

static int authenticate(pxs_ssh *s, const pxs_ssh_target *t, const char *identity, int timeout,
                        int64_t deadline)
{
    if (access(identity, R_OK) < 0) {
        pxs_set_error("%s: cannot read identity file %s: %s", s->name, identity, strerror(errno));
        return -1;
    }
    int rc;
    SSH_RETRY(s, deadline, rc,
              libssh2_userauth_publickey_fromfile_ex(s->session, t->login,
                                                     (unsigned)strlen(t->login), NULL, identity,
                                                     NULL));
    if (rc == 0)
        return 0;
    if (rc == LIBSSH2_ERROR_EAGAIN)
        step_error(s, rc, "authentication", timeout);
    else if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED ||
             rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
        pxs_set_error("%s: authentication refused for %s with the key %s", s->name, t->login,
                      identity);
    else
        pxs_set_error("%s: authentication with the key %s failed: %s", s->name, identity,
                      ssh_last_error(s));
    return -1;
}

pxs_ssh *pxs_ssh_connect(const pxs_ssh_target *t, const pxs_ssh_opts *o)
{
    static bool initialised;
    if (!initialised) {
        if (libssh2_init(0) != 0) {
            pxs_set_error("cannot initialise libssh2");
            return NULL;
        }
        initialised = true;
    }
    LIBSSH2_KNOWNHOSTS *kh = NULL;
    pxs_ssh *s = xcalloc(1, sizeof *s);
    s->fd = -1;
    s->name = pxs_ssh_target_name(t);
    s->run_timeout = o->run_timeout;
    int64_t deadline = now_ms() + (int64_t)o->connect_timeout * 1000;
    if (tcp_connect(s, t, o->connect_timeout, deadline) < 0)
        goto fail;
    s->session = libssh2_session_init();
    if (s->session == NULL) {
        pxs_set_error("%s: cannot create an ssh session", s->name);
        goto fail;
    }
    libssh2_session_set_blocking(s->session, 0);
    kh = load_known_hosts(s, o->known_hosts);
    if (kh == NULL)
        goto fail;
    prefer_known_types(s, kh, t);
    int rc;
    SSH_RETRY(s, deadline, rc, libssh2_session_handshake(s->session, s->fd));
    if (rc != 0) {
        step_error(s, rc, "the ssh handshake", o->connect_timeout);
        goto fail;
    }
    if (check_host_key(s, t, kh, o->known_hosts) < 0 ||
        authenticate(s, t, o->identity, o->connect_timeout, deadline) < 0)
        goto fail;
    libssh2_knownhost_free(kh);
    return s;
fail:
    if (kh != NULL)
        libssh2_knownhost_free(kh);
    pxs_ssh_close(s);
    return NULL;
}

void pxs_ssh_close(pxs_ssh *s)
{
    if (s == NULL)
        return;
    if (s->session != NULL) {
        /* A polite goodbye, but never wait long for it. */
        int64_t deadline = now_ms() + 2000;
        int rc;
        SSH_RETRY(s, deadline, rc,
                  libssh2_session_disconnect_ex(s->session, SSH_DISCONNECT_BY_APPLICATION,
                                                "done", ""));
        libssh2_session_free(s->session);
    }
    if (s->fd >= 0)
        close(s->fd);
    free(s->name);
    free(s);
}

/* ---- running ------------------------------------------------------------ */

void pxs_ssh_result_free(pxs_ssh_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static void buf_add(buf *b, const char *data, size_t n)
{
    xgrow((void **)&b->p, &b->cap, b->len + n + 1, 1);
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Reads what is available on one stream: >0 read, 0 nothing now, <0 error. */
static ssize_t drain(LIBSSH2_CHANNEL *ch, int stream, buf *b)
{
    char chunk[16384];
    ssize_t total = 0;
    for (;;) {
        ssize_t n = libssh2_channel_read_ex(ch, stream, chunk, sizeof chunk);
        if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
            return total;
        if (n < 0)
            return n;
        buf_add(b, chunk, (size_t)n);
        total += n;
    }
}

static int signal_number(const char *name)
{
    static const struct { const char *name; int num; } sigs[] = {
        {"HUP", 1}, {"INT", 2}, {"QUIT", 3}, {"ILL", 4}, {"ABRT", 6}, {"FPE", 8},
        {"KILL", 9}, {"SEGV", 11}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15},
        {"USR1", 10}, {"USR2", 12},
    };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (strcmp(name, sigs[i].name) == 0)
            return sigs[i].num;
    return 127; /* an unknown signal still reads as "killed" (128+127 = 255) */
}

/* Reads both streams until the channel's end of file. */
static int read_output(pxs_ssh *s, LIBSSH2_CHANNEL *ch, buf *out, buf *err, int64_t deadline)
{
    for (;;) {
        ssize_t a = drain(ch, 0, out);
        ssize_t b = drain(ch, SSH_EXTENDED_DATA_STDERR, err);
        if (a < 0 || b < 0) {
            step_error(s, (int)(a < 0 ? a : b), "reading the command's output", s->run_timeout);
            return -1;
        }
        if (libssh2_channel_eof(ch))
            return 0;
        if (a == 0 && b == 0 && wait_socket(s, deadline) < 0) {
            step_error(s, LIBSSH2_ERROR_TIMEOUT, "the remote command", s->run_timeout);
            return -1;
        }
    }
}

/* Closes the channel and returns the command's status. */
static int finish_channel(pxs_ssh *s, LIBSSH2_CHANNEL *ch, int64_t deadline)
{
    int rc;
    SSH_RETRY(s, deadline, rc, libssh2_channel_close(ch));
    if (rc == 0)
        SSH_RETRY(s, deadline, rc, libssh2_channel_wait_closed(ch));
    if (rc != 0) {
        step_error(s, rc, "closing the channel", s->run_timeout);
        return -1;
    }
    char *sig = NULL;
    libssh2_channel_get_exit_signal(ch, &sig, NULL, NULL, NULL, NULL, NULL);
    if (sig != NULL) {
        int st = 128 + signal_number(sig);
        libssh2_free(s->session, sig);
        return st;
    }
    return libssh2_channel_get_exit_status(ch) & 0xff;
}

int pxs_ssh_run(pxs_ssh *s, const char *command, pxs_ssh_result *r)
{
    int64_t deadline = now_ms() + (int64_t)s->run_timeout * 1000;
    buf out = {0}, err = {0};
    buf_add(&out, "", 0);
    buf_add(&err, "", 0);
    int status = -1, rc;
    LIBSSH2_CHANNEL *ch;
    SSH_RETRY_PTR(s, deadline, ch, libssh2_channel_open_session(s->session));
    if (ch == NULL) {
        step_error(s, libssh2_session_last_errno(s->session), "opening a channel", s->run_timeout);
        goto done;
    }
    SSH_RETRY(s, deadline, rc, libssh2_channel_exec(ch, command));
    if (rc != 0)
        step_error(s, rc, "starting the remote command", s->run_timeout);
    else if (read_output(s, ch, &out, &err, deadline) == 0)
        status = finish_channel(s, ch, deadline);
    libssh2_channel_free(ch);
done:
    if (r != NULL) {
        r->out = out.p;
        r->out_len = out.len;
        r->err = err.p;
        r->err_len = err.len;
    } else {
        free(out.p);
        free(err.p);
    }
    return status;
}

int pxs_ssh_exec(const pxs_ssh_target *t, const pxs_ssh_opts *o, char *const argv[],
                 pxs_ssh_result *r)
{
    if (r != NULL)
        memset(r, 0, sizeof *r);
    pxs_ssh *s = pxs_ssh_connect(t, o);
    if (s == NULL)
        return -1;
    char *cmd = pxs_sh_command(argv);
    int st = pxs_ssh_run(s, cmd, r);
    free(cmd);
    pxs_ssh_close(s);
    return st;
}

/* ---- uploading ---------------------------------------------------------- */

/* Writes the whole local file to an open SFTP handle. */
static int sftp_copy(pxs_ssh *s, LIBSSH2_SFTP_HANDLE *h, FILE *in, const char *local,
                     int64_t deadline)
{
    char chunk[32768];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0) {
        size_t off = 0;
        while (off < n) {
            ssize_t w;
            while ((w = libssh2_sftp_write(h, chunk + off, n - off)) == LIBSSH2_ERROR_EAGAIN)
                if (wait_socket(s, deadline) < 0)
                    break;
            if (w < 0) {
                step_error(s, (int)w, "the upload", s->run_timeout);
                return -1;
            }
            off += (size_t)w;
        }
    }
    if (ferror(in)) {
        pxs_set_error_errno("%s", local);
        return -1;
    }
    return 0;
}

/* Uploads local to tmp through SFTP. */
static int sftp_put(pxs_ssh *s, const char *local, const char *tmp, int64_t deadline)
{
    /* A regular file only, no link followed in the stats tree: an image
     * replaced by a link must not carry another file to the web servers. */
    int fd = pxs_file_open(local, O_RDONLY, 0);
    FILE *in = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (in == NULL) {
        if (fd >= 0) {
            pxs_set_error_errno("%s", local);
            close(fd);
        }
        return -1;
    }
    int rc = -1;
    LIBSSH2_SFTP *sftp;
    SSH_RETRY_PTR(s, deadline, sftp, libssh2_sftp_init(s->session));
    if (sftp == NULL) {
        step_error(s, libssh2_session_last_errno(s->session), "starting SFTP", s->run_timeout);
        fclose(in);
        return -1;
    }
    LIBSSH2_SFTP_HANDLE *h;
    SSH_RETRY_PTR(s, deadline, h,
                  libssh2_sftp_open(sftp, tmp,
                                    LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL,
                                    0600));
    if (h == NULL) {
        pxs_set_error("%s: cannot create %s (SFTP error %lu)", s->name, tmp,
                      libssh2_sftp_last_error(sftp));
    } else {
        rc = sftp_copy(s, h, in, local, deadline);
        int crc;
        SSH_RETRY(s, deadline, crc, libssh2_sftp_close_handle(h));
        if (rc == 0 && crc != 0) {
            step_error(s, crc, "closing the uploaded file", s->run_timeout);
            rc = -1;
        }
    }
    int src;
    SSH_RETRY(s, deadline, src, libssh2_sftp_shutdown(sftp));
    fclose(in);
    return rc;
}

int pxs_ssh_upload(pxs_ssh *s, const char *local, const char *remote_path, int mode)
{
    const char *slash = strrchr(remote_path, '/');
    const char *base = slash != NULL ? slash + 1 : remote_path;
    if (*base == '\0') {
        pxs_set_error("%s: upload target '%s' names a directory", s->name, remote_path);
        return -1;
    }
    /* The temporary sits in the target's directory so that mv is a rename. */
    char *tmp = xasprintf("%.*s.%s.pxs-%ld-%ld", (int)(base - remote_path), remote_path, base,
                          (long)getpid(), (long)(now_ms() % 1000000));
    int64_t deadline = now_ms() + (int64_t)s->run_timeout * 1000;
    int rc = sftp_put(s, local, tmp, deadline);
    char modestr[8];
    snprintf(modestr, sizeof modestr, "%04o", (unsigned)mode & 07777);
    if (rc == 0) {
        char *chmod_argv[] = {"chmod", modestr, "--", tmp, NULL};
        char *mv_argv[] = {"mv", "-f", "--", tmp, (char *)remote_path, NULL};
        char *a = pxs_sh_command(chmod_argv), *b = pxs_sh_command(mv_argv);
        char *cmd = xasprintf("%s && %s", a, b);
        pxs_ssh_result r;
        int st = pxs_ssh_run(s, cmd, &r);
        if (st > 0)
            pxs_set_error("%s: cannot move the upload to %s: %s", s->name, remote_path,
                          r.err_len > 0 ? r.err : "mv failed");
        rc = st == 0 ? 0 : -1;
        pxs_ssh_result_free(&r);
        free(a);
        free(b);
        free(cmd);
    }
    if (rc < 0) {
        /* Best effort: the error already set is the one worth reporting. */
        char *rm_argv[] = {"rm", "-f", "--", tmp, NULL};
        char *cmd = pxs_sh_command(rm_argv);
        char *saved = xstrdup(pxs_error());
        pxs_ssh_run(s, cmd, NULL);
        pxs_set_error("%s", saved);
        free(saved);
        free(cmd);
    }
    free(tmp);
    return rc;
}
