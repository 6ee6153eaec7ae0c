/* clients — expanding "All" into the names that exist. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/clients.h"
#include "pxstats/logfiles.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *pxs_machine_logdir(const char *logdir, const char *machine)
{
    char *sub;

    if (machine == NULL || *machine == '\0')
        return xstrdup(logdir);
    sub = xasprintf("%s/%s", logdir, machine);
    if (is_dir(sub))
        return sub;
    free(sub);
    return xstrdup(logdir);
}

/* Adds name to out when it is a valid name; warns otherwise. */
static void add_name(pxs_strlist *out, const char *name, const char *where)
{
    if (pxs_name_valid(name))
        pxs_strlist_add(out, name);
    else
        pxs_warnx("%s: ignoring '%s': not a valid client or source name", where, name);
}

/* Calls back for every entry of dir (except . and ..). */
static int list_dir(const char *dir, void (*fn)(const char *, void *), void *arg)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    if (d == NULL) {
        pxs_set_error_errno("cannot read directory %s", dir);
        return -1;
    }
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            fn(de->d_name, arg);
    closedir(d);
    return 0;
}

typedef struct scan_ctx {
    pxs_filetype ft;
    pxs_strlist *out;
    const char *suffix;   /* ".conf" or ".log" */
    const char *dir;
} scan_ctx;

static void from_conf(const char *entry, void *arg)
{
    scan_ctx *c = arg;
    size_t n = strlen(entry), s = strlen(c->suffix);

    if (n > s && strcmp(entry + n - s, c->suffix) == 0) {
        char *name = xstrndup(entry, n - s);
        add_name(c->out, name, c->dir);
        free(name);
    }
}

static void from_log(const char *entry, void *arg)
{
    scan_ctx *c = arg;
    bool live;
    char *name = pxs_logfile_client(entry, c->ft, &live);

    if (name != NULL)
        add_name(c->out, name, c->dir);
    free(name);
}

int pxs_clients_from_logs(const pxs_config *cfg, const char *logdir, pxs_filetype ft,
                          pxs_strlist *out)
{
    char *confdir = xasprintf("%s/%s", cfg->etcdir, pxs_filetype_name(ft));
    scan_ctx c = {ft, out, ".conf", confdir};
    int rc;

    if (is_dir(confdir))
        rc = list_dir(confdir, from_conf, &c);
    else {
        c.suffix = ".log";
        c.dir = logdir;
        rc = list_dir(logdir, from_log, &c);
    }
    free(confdir);
    pxs_strlist_sort_unique(out);
    return rc;
}

int pxs_clients_from_pickles(const char *statsdir, pxs_strlist *out)
{
    char *dir = xasprintf("%s/pickles", statsdir);
    pxs_dirlist l;
    int rc = pxs_dir_read(dir, &l);

    /* Real directories only: a link named like a client leads out of the tree. */
    for (size_t i = 0; i < l.n; i++)
        if (S_ISDIR(l.e[i].type) && pxs_name_valid(l.e[i].name))
            pxs_strlist_add(out, l.e[i].name);
    pxs_dir_free(&l);
    free(dir);
    pxs_strlist_sort_unique(out);
    return rc;
}

void pxs_clients_expand(pxs_strlist *names, const pxs_strlist *all)
{
    if (names->n == 1 && (strcmp(names->v[0], "All") == 0 || strcmp(names->v[0], "ALL") == 0)) {
        pxs_strlist_free(names);
        for (size_t i = 0; i < all->n; i++)
            pxs_strlist_add(names, all->v[i]);
    }
}
