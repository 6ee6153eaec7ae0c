/* remote — commands and uploads on other machines over ssh, through libssh2
 * (no ssh binary), with strict host keys, key authentication and timeouts.
 *
 * Typical use (launchGraphs running statsUpdater on a pickling machine):
 *
 *     pxs_ssh_opts o;   pxs_ssh_target t;   pxs_ssh_result r;
 *     if (pxs_ssh_opts_from_config(cfg, &o) < 0 ||
 *         pxs_ssh_target_parse("pds@logan1:22", NULL, o.port, &t) < 0) ...
 *     char *argv[] = {"statsUpdater", "-f", "tx", NULL};
 *     int st = pxs_ssh_exec(&t, &o, argv, &r);   // -1: pxs_error(); else exit status
 *     ... r.out / r.err ...
 *     pxs_ssh_result_free(&r); pxs_ssh_target_free(&t); pxs_ssh_opts_free(&o);
 *
 * Security: the server's host key must be in the known_hosts file of the
 * config (OpenSSH format: "[host]:port" for ports other than 22, where
 * libssh2 also accepts a plain "host" entry; hashed entries work); an
 * unknown or changed key is refused before authentication, so nothing is
 * sent. The server is asked first for the key types recorded for the host
 * (plain entries), as OpenSSH does, so that a server with several host keys
 * is not refused for offering one that was never recorded.
 * Authentication is by private key only. Remote commands are built from
 * argument vectors with every argument single-quoted for the remote POSIX
 * shell, so that no name can inject a command.
 *
 * Config keys, section [ssh]:
 *   identity        private key file     (default ~/.ssh/id_ed25519, else ~/.ssh/id_rsa)
 *   knownHosts      known_hosts file     (default ~/.ssh/known_hosts)
 *   port            default port         (default 22)
 *   connectTimeout  seconds for TCP connect + handshake + authentication (default 10)
 *   runTimeout      seconds for a remote command or an upload (default 600) */
#ifndef PXSTATS_REMOTE_H
#define PXSTATS_REMOTE_H

#include <stddef.h>

#include "config.h"

typedef struct pxs_ssh_opts {
    char *identity;       /* private key file (no passphrase) */
    char *known_hosts;    /* known_hosts file */
    int port;             /* port used when a target names none */
    int connect_timeout;  /* seconds, > 0 */
    int run_timeout;      /* seconds, > 0 */
} pxs_ssh_opts;

/* Fills o from the [ssh] section of cfg (defaults above; ~ is $HOME).
 * Returns 0, or -1 (pxs_error names the config line) on a bad value. */
int pxs_ssh_opts_from_config(const pxs_config *cfg, pxs_ssh_opts *o);
void pxs_ssh_opts_free(pxs_ssh_opts *o);

/* Where to connect: login@host:port. */
typedef struct pxs_ssh_target {
    char *login;
    char *host;
    int port;
} pxs_ssh_target;

/* Parses "[login@]host[:port]". login defaults to def_login, then to the
 * current user; port to def_port. login and host must be valid names
 * (names.h: no shell or option character can reach ssh, rsync or a remote
 * shell); port 1-65535. Returns 0 or -1 (pxs_error set). */
int pxs_ssh_target_parse(const char *text, const char *def_login, int def_port,
                         pxs_ssh_target *t);
/* "login@host:port" (fresh string), for messages. */
char *pxs_ssh_target_name(const pxs_ssh_target *t);
void pxs_ssh_target_free(pxs_ssh_target *t);

/* One argument quoted for a POSIX shell: wrapped in '...', each ' written
 * '\'' (fresh string). The empty string gives ''. */
char *pxs_sh_quote(const char *arg);
/* argv (NULL-terminated) as one remote command line, every argument quoted. */
char *pxs_sh_command(char *const argv[]);

/* An open, authenticated connection. */
typedef struct pxs_ssh pxs_ssh;

/* Connects to t: TCP connect, ssh handshake, host key check against
 * o->known_hosts, public key authentication with o->identity, all within
 * o->connect_timeout seconds. Returns a connection, or NULL with pxs_error
 * saying which step failed, e.g. "127.0.0.1:2222: host key not in
 * /x/known_hosts (ssh-ed25519 SHA256:...): refused", "...: timed out after 5
 * s during the ssh handshake", "...: Connection refused". */
pxs_ssh *pxs_ssh_connect(const pxs_ssh_target *t, const pxs_ssh_opts *o);
void pxs_ssh_close(pxs_ssh *s);

/* What a remote command said. */
typedef struct pxs_ssh_result {
    char *out;       /* its stdout (NUL-terminated; out_len excludes the NUL) */
    size_t out_len;
    char *err;       /* its stderr */
    size_t err_len;
} pxs_ssh_result;
void pxs_ssh_result_free(pxs_ssh_result *r);

/* Runs command (a shell command line: build it with pxs_sh_command) through
 * the remote user's shell, capturing stdout and stderr (r may be NULL to
 * discard them), within o->run_timeout seconds of the connection's options.
 * Returns its exit status (0-255), 128+N when a signal N killed it, or -1
 * (pxs_error set) when it could not be run, the connection broke or the
 * timeout passed (what was captured so far is kept in r). */
int pxs_ssh_run(pxs_ssh *s, const char *command, pxs_ssh_result *r);

/* Copies the local file to remote_path with mode (e.g. 0644), atomically on
 * the remote side: written through SFTP to a temporary name in the same
 * directory, then renamed over remote_path by "mv -f" (rename(2)), so that a
 * reader never sees a partial file. The remote directory must exist. Returns 0
 * or -1 (pxs_error set; the temporary is removed). */
int pxs_ssh_upload(pxs_ssh *s, const char *local, const char *remote_path, int mode);

/* Connect, run argv (quoted with pxs_sh_command), close. Returns as
 * pxs_ssh_run. */
int pxs_ssh_exec(const pxs_ssh_target *t, const pxs_ssh_opts *o, char *const argv[],
                 pxs_ssh_result *r);

#endif
