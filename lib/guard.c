/* guard — names with nothing in the tree (contract in guard.h). */
#include "pxstats/guard.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/logfiles.h"
#include "pxstats/msg.h"
#include "pxstats/pickletree.h"
#include "pxstats/rrdstore.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

bool pxs_guard_is_all(const pxs_strlist *names)
{
    return names == NULL || names->n == 0 ||
           (names->n == 1 && (strcmp(names->v[0], "All") == 0 || strcmp(names->v[0], "ALL") == 0));
}

/* "'a', 'b'" for a message. Fresh string. */
static char *quoted(const pxs_strlist *l)
{
    char *s = xstrdup("");

    for (size_t i = 0; i < l->n; i++) {
        char *more = xasprintf("%s%s'%s'", s, i ? ", " : "", l->v[i]);
        free(s);
        s = more;
    }
    return s;
}

/* Sets the error "no <what> of <kind> 'a', 'b' <where>" for the names of
 * missing (when there is one) and returns -1; else 0. */
static int report(const pxs_strlist *missing, const char *what, const char *kind,
                  const char *where)
{
    if (missing->n == 0)
        return 0;
    char *names = quoted(missing);
    pxs_set_error("no %s of %s%s %s %s", what, kind, missing->n > 1 ? "s" : "", names, where);
    free(names);
    return -1;
}

/* True when a machine group list of the config names machine. */
static bool machine_in_config(const pxs_config *cfg, const char *machine)
{
    static const char *const keys[][2] = {{"graphics", "logFilesMachines"},
                                          {"databases", "machineNames"},
                                          {"monitoring", "machines"}};
    bool found = false;

    for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !found; k++) {
        pxs_strlist groups, members;
        pxs_strlist_init(&groups);
        pxs_strlist_init(&members);
        /* A malformed list is its own program's error; here it names nothing. */
        if (pxs_groups_parse(pxs_conf_get(cfg, keys[k][0], keys[k][1], ""), &groups) == 0)
            for (size_t g = 0; g < groups.n; g++)
                pxs_strlist_split(&members, groups.v[g], ',');
        found = pxs_strlist_has(&members, machine);
        pxs_strlist_free(&groups);
        pxs_strlist_free(&members);
    }
    return found;
}

int pxs_guard_snapshots(const pxs_config *cfg, pxs_filetype ft, const pxs_strlist *clients,
                        const pxs_strlist *machines)
{
    const char *statsdir = cfg->statsdir;
    const char *ftn = pxs_filetype_name(ft);
    char *dir = pxs_pickles_dir(statsdir);
    char *what = xasprintf("%s snapshot", ftn);
    char *where = xasprintf("under %s", dir);
    const pxs_strlist *among = pxs_guard_is_all(clients) ? NULL : clients;
    pxs_strlist missing;
    int rc = 0;

    pxs_strlist_init(&missing);
    for (size_t i = 0; among && i < among->n && rc == 0; i++) {
        int64_t *days;
        size_t n;
        rc = pxs_pickle_days(statsdir, among->v[i], ft, &days, &n);
        if (rc == 0 && n == 0)
            pxs_strlist_add(&missing, among->v[i]);
        free(days);
    }
    if (rc == 0)
        rc = report(&missing, what, ft == PXS_TX ? "client" : "source", where);
    pxs_strlist_free(&missing);
    pxs_strlist_init(&missing);
    for (size_t i = 0; machines && i < machines->n && rc == 0; i++) {
        int64_t hour;
        if (machine_in_config(cfg, machines->v[i]))
            continue;
        int r = pxs_pickle_newest(statsdir, ft, among, machines->v[i], &hour);
        if (r < 0)
            rc = -1;
        else if (r == 0)
            pxs_strlist_add(&missing, machines->v[i]);
    }
    if (rc == 0 && missing.n > 0) {
        char *names = among ? pxs_strlist_join(among, ", ") : NULL;
        char *w = among ? xasprintf("for %s %s", names, where) : xstrdup(where);
        rc = report(&missing, what, "machine", w);
        free(w);
        free(names);
    }
    pxs_strlist_free(&missing);
    free(what);
    free(where);
    free(dir);
    return rc;
}

/* True when client has a database of any type of ft for group: what the
 * archive's readers need (DATABASE-UPDATES may be missing when a feed failed
 * part-way; a database that is a link still counts, to be refused by name
 * where it is opened). *path gets the first path looked at. */
static bool has_database(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *group, char **path)
{
    pxs_dbtype types[PXS_DB_NTYPES];
    int n = pxs_dbtypes_of(ft, types);
    bool found = false;

    for (int i = 0; i < n && !found; i++) {
        char *p = pxs_rrd_path(statsdir, ft, types[i], client, group);
        struct stat st;
        found = pxs_path_stat(p, &st) == 0;
        if (*path == NULL)
            *path = p;
        else
            free(p);
    }
    return found;
}

int pxs_guard_archive(const char *statsdir, pxs_filetype ft, const pxs_strlist *clients,
                      const char *group)
{
    const char *ftn = pxs_filetype_name(ft);
    pxs_strlist missing;
    int rc = 0;

    pxs_strlist_init(&missing);
    if (pxs_guard_is_all(clients)) {
        rc = pxs_dbupdates_clients(statsdir, ft, group, &missing);
        if (rc == 0 && missing.n == 0) {
            char *any = pxs_dbupdates_path(statsdir, ft, "*", group);
            pxs_set_error("no %s archive for machines '%s': nothing matches %s", ftn, group, any);
            free(any);
            rc = -1;
        }
        pxs_strlist_free(&missing);
        return rc;
    }
    char *example = NULL;
    for (size_t i = 0; i < clients->n; i++) {
        char *path = NULL;
        if (!has_database(statsdir, ft, clients->v[i], group, &path)) {
            pxs_strlist_add(&missing, clients->v[i]);
            if (example == NULL)
                example = xstrdup(path);
        }
        free(path);
    }
    if (missing.n > 0) {
        char *what = xasprintf("%s archive", ftn);
        char *where = xasprintf("for machines '%s' (no %s)", group, example);
        rc = report(&missing, what, ft == PXS_TX ? "client" : "source", where);
        free(what);
        free(where);
    }
    free(example);
    pxs_strlist_free(&missing);
    return rc;
}

int pxs_guard_logs(const char *logdir, pxs_filetype ft, const pxs_strlist *clients)
{
    pxs_strlist missing;
    int rc = 0;

    if (pxs_guard_is_all(clients))
        return 0;
    pxs_strlist_init(&missing);
    /* By name only (logfiles.h's one rule): the files' content is the
     * reader's to judge, and reading it here would cost a scan per name. */
    for (size_t i = 0; i < clients->n; i++)
        if (!(pxs_logfiles_types(logdir, clients->v[i]) & (1u << ft)))
            pxs_strlist_add(&missing, clients->v[i]);
    if (missing.n > 0) {
        char *what = xasprintf("%s log (%s_<name>.log*)", pxs_filetype_name(ft),
                               pxs_filetype_name(ft));
        char *where = xasprintf("in %s", logdir);
        rc = report(&missing, what, ft == PXS_TX ? "client" : "source", where);
        free(what);
        free(where);
    }
    pxs_strlist_free(&missing);
    return rc;
}
