/* picklesync — rsync of the machines' snapshots (contract in picklesync.h). */
#include "pxstats/picklesync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/remote.h"
#include "pxstats/runlog.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

char *pxs_rsync_rsh_quote(const char *word)
{
    if (*word != '\0' && strpbrk(word, " \t'\"") == NULL)
        return xstrdup(word);
    size_t quotes = 0;
    for (const char *p = word; *p; p++)
        quotes += *p == '\'';
    char *out = xmalloc(strlen(word) + quotes + 3);
    char *w = out;
    *w++ = '\'';
    for (const char *p = word; *p; p++) {
        if (*p == '\'')
            *w++ = '\'';   /* rsync reads a doubled quote as a literal one */
        *w++ = *p;
    }
    *w++ = '\'';
    *w = '\0';
    return out;
}

/* A NULL-terminated vector being built. */
typedef struct vec {
    char **v;
    size_t n, cap;
} vec;

static void vec_add(vec *a, char *s)   /* takes s */
{
    xgrow((void **)&a->v, &a->cap, a->n + 2, sizeof *a->v);
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

void pxs_sync_argv_free(char **argv)
{
    if (argv == NULL)
        return;
    for (size_t i = 0; argv[i] != NULL; i++)
        free(argv[i]);
    free(argv);
}

/* ssh reads the value of UserKnownHostsFile as a list of files separated by
 * whitespace, so such a path cannot be passed through -o at all. */
static int check_ssh_path(const char *what, const char *path)
{
    if (strpbrk(path, " \t\n") != NULL) {
        pxs_set_error("%s '%s' holds whitespace, which ssh cannot take", what, path);
        return -1;
    }
    return 0;
}

/* The -e value: ssh with strict host keys, our key only, never a prompt. */
static char *rsh_command(const pxs_config *cfg, const pxs_ssh_opts *so, int port)
{
    char *ssh = pxs_rsync_rsh_quote(pxs_conf_get(cfg, "sync", "ssh", "ssh"));
    char *key = pxs_rsync_rsh_quote(so->identity);
    char *kh = pxs_rsync_rsh_quote(so->known_hosts);
    char *cmd = xasprintf("%s -p %d -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s"
                          " -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes"
                          " -o BatchMode=yes -o UpdateHostKeys=no -o ConnectTimeout=%d",
                          ssh, port, key, kh, so->connect_timeout);
    free(ssh);
    free(key);
    free(kh);
    return cmd;
}

/* path made absolute against the working directory (rsync and the machines
 * know nothing of ours). Fresh string. */
static char *absolute(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char *cwd = getcwd(NULL, 0);
    char *abs = xasprintf("%s/%s", cwd != NULL ? cwd : "", path);
    free(cwd);
    return abs;
}

/* The stats root on the machine: [sync <host>], then [sync], then ours. */
static char *remote_statsdir(const pxs_config *cfg, const char *host)
{
    char *section = xasprintf("sync %s", host);
    const char *dir = pxs_conf_get(cfg, section, "remoteStatsDir", NULL);
    free(section);
    if (dir == NULL)
        dir = pxs_conf_get(cfg, "sync", "remoteStatsDir", NULL);
    if (dir != NULL)
        return xstrdup(dir);
    /* The default is our own tree, which --root may have named relatively. */
    return absolute(cfg->statsdir);
}

static int build_argv(const pxs_sync_opts *o, const pxs_ssh_opts *so, const pxs_ssh_target *t,
                      long timeout, vec *a)
{
    char *rdir = remote_statsdir(o->cfg, t->host);
    /* Absolute only: a relative one would silently mean the remote login's
     * home, and could begin with '-'. */
    if (rdir[0] != '/') {
        pxs_set_error("remote stats directory '%s' of %s is not absolute", rdir, t->host);
        free(rdir);
        return -1;
    }
    if (check_ssh_path("known_hosts file", so->known_hosts) < 0) {
        free(rdir);
        return -1;
    }
    vec_add(a, xstrdup(pxs_conf_get(o->cfg, "sync", "rsync", "rsync")));
    /* Regular files and directories only (see picklesync.h): recursion and
     * times, and explicitly no links, devices or special files, whatever
     * the remote tree holds. */
    vec_add(a, xstrdup("-rt"));
    vec_add(a, xstrdup("--no-links"));
    vec_add(a, xstrdup("--no-devices"));
    vec_add(a, xstrdup("--no-specials"));
    vec_add(a, xasprintf("--timeout=%ld", timeout));
    if (o->temp_dir != NULL)
        vec_add(a, xasprintf("--temp-dir=%s", o->temp_dir));
    if (o->verbose)
        vec_add(a, xstrdup("-v"));
    vec_add(a, xstrdup("-e"));
    vec_add(a, rsh_command(o->cfg, so, t->port));
    if (o->clients != NULL && o->clients->n > 0) {
        /* Filters rather than one source per client: one connection, and a
         * client a machine does not have is simply not there (not an error). */
        for (size_t i = 0; i < o->clients->n; i++)
            vec_add(a, xasprintf("--include=/%s/***", o->clients->v[i]));
        vec_add(a, xstrdup("--exclude=*"));
    }
    size_t rl = strlen(rdir);
    while (rl > 1 && rdir[rl - 1] == '/')
        rl--;
    vec_add(a, xasprintf("%s@%s:%.*s/pickles/", t->login, t->host, (int)rl, rdir));
    vec_add(a, xasprintf("%s/pickles/", o->cfg->statsdir));
    free(rdir);
    return 0;
}

/* Parses the machine and the settings it needs; fills a. */
static int machine_argv(const pxs_sync_opts *o, const char *machine, vec *a, char **name)
{
    pxs_ssh_opts so;
    if (pxs_ssh_opts_from_config(o->cfg, &so) < 0)
        return -1;
    long timeout;
    int rc = pxs_conf_get_int(o->cfg, "sync", "timeout", 300, 1, 86400, &timeout);
    const char *login = o->login != NULL ? o->login : pxs_conf_get(o->cfg, "sync", "login", NULL);
    pxs_ssh_target t = {0};
    if (rc == 0)
        rc = pxs_ssh_target_parse(machine, login, so.port, &t);
    if (rc == 0 && o->clients != NULL)
        for (size_t i = 0; i < o->clients->n && rc == 0; i++)
            rc = pxs_name_check("client", o->clients->v[i]);
    if (rc == 0)
        rc = build_argv(o, &so, &t, timeout, a);
    if (rc == 0 && name != NULL)
        *name = pxs_ssh_target_name(&t);
    pxs_ssh_target_free(&t);
    pxs_ssh_opts_free(&so);
    return rc;
}

int pxs_sync_argv(const pxs_sync_opts *o, const char *machine, char ***argv)
{
    vec a = {0};
    if (machine_argv(o, machine, &a, NULL) < 0) {
        pxs_sync_argv_free(a.v);
        return -1;
    }
    *argv = a.v;
    return 0;
}

/* rsync's complaint on one line: its stderr lines joined with "; ". */
static char *one_line(const char *text, size_t len)
{
    char *out = xmalloc(2 * len + 1);
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            if (i + 1 < len && w > 0) {
                out[w++] = ';';
                out[w++] = ' ';
            }
        } else if (text[i] != '\r') {
            out[w++] = text[i];
        }
    }
    out[w] = '\0';
    return out;
}

static int sync_one(const pxs_sync_opts *o, const char *machine, long run_timeout)
{
    vec a = {0};
    char *name = NULL;
    if (machine_argv(o, machine, &a, &name) < 0) {
        pxs_warnx("%s: %s", machine, pxs_error());
        pxs_sync_argv_free(a.v);
        return -1;
    }
    pxs_info("%s: rsync from %s", name, a.v[a.n - 2]);
    char *err = NULL;
    size_t errlen = 0;
    pxs_spawn_opts so = {.stderr_buf = &err, .stderr_len = &errlen, .timeout = (int)run_timeout};
    int st = pxs_spawn(a.v, &so);
    /* The run log says when each machine was last synchronised (status.html). */
    if (st != 0) {
        char *msg = one_line(err != NULL ? err : "", errlen);
        if (st < 0)
            pxs_warnx("%s: %s%s%s", name, pxs_error(), *msg ? ": " : "", msg);
        else
            pxs_warnx("%s: rsync failed (exit %d)%s%s", name, st, *msg ? ": " : "", msg);
        pxs_runlog(o->cfg->statsdir, "%s: failed", name);
        free(msg);
    } else {
        pxs_info("%s: synchronised", name);
        pxs_runlog(o->cfg->statsdir, "%s: synchronised", name);
    }
    free(err);
    free(name);
    pxs_sync_argv_free(a.v);
    return st == 0 ? 0 : -1;
}

int pxs_sync_machines(const pxs_sync_opts *o, const pxs_strlist *machines)
{
    long run_timeout;
    if (pxs_conf_get_int(o->cfg, "sync", "runTimeout", 3600, 1, 7 * 86400, &run_timeout) < 0)
        return -1;
    if (machines->n == 0) {
        pxs_set_error("no machine to synchronise");
        return -1;
    }
    /* rsync's temporaries go to a directory of this run (pickles/.pickleSync.
     * XXXXXX, on the same file system, so that a file still arrives by
     * rename), which the next run removes if this one is killed; rsync's own
     * ".<name>.XXXXXX" would otherwise stay among the snapshots. An absolute
     * path: rsync reads a relative one from the destination. */
    char *local = xasprintf("%s/pickles/pickleSync", o->cfg->statsdir);
    char *abs = absolute(local);
    pxs_astage stage;
    int rc = pxs_astage_open(&stage, abs);
    free(local);
    free(abs);
    if (rc < 0)
        return -1;
    pxs_sync_opts run = *o;
    run.temp_dir = stage.dir;
    int failed = 0;
    for (size_t i = 0; i < machines->n; i++)
        if (sync_one(&run, machines->v[i], run_timeout) < 0)
            failed++;
    pxs_astage_abort(&stage);
    return failed > 0 ? 1 : 0;
}
