/* monitor_inventory — which (client, fileType, machine group) series the
 * snapshot checks expect: the configured groups, crossed with what exists
 * under <stats>/pickles. A client is expected on a group when at least one of
 * its snapshots carries the name of one of the group's machines or of the
 * merged group. Each of its series (a machine, the merged name) is expected
 * from that series' own earliest snapshot on: statsUpdater writes a snapshot
 * for every hour from a client's first log line on that machine, and none
 * before, so a client that starts on one machine later than on another, or
 * a new client, is not reported missing before it existed there. */
#include "pxstats/monitor.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/clients.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

static size_t add_group(pxs_monitor *m, const pxs_strlist *machines)
{
    m->groups = xrealloc(m->groups, (m->ngroups + 1) * sizeof *m->groups);
    pxs_mon_group *g = &m->groups[m->ngroups];
    pxs_strlist_init(&g->machines);
    for (size_t i = 0; i < machines->n; i++)
        pxs_strlist_add(&g->machines, machines->v[i]);
    g->merged = machines->n > 1 ? pxs_group_name(machines) : NULL;
    return m->ngroups++;
}

int pxs_mon_parse_groups(pxs_monitor *m, const char *text)
{
    pxs_strlist groups;
    pxs_strlist_init(&groups);
    /* The one parser of machine lists: names checked, none named twice. */
    int rc = pxs_groups_parse(text, &groups);
    for (size_t i = 0; i < groups.n && rc == 0; i++) {
        pxs_strlist machines;
        pxs_strlist_init(&machines);
        rc = pxs_machines_parse(groups.v[i], &machines);
        if (rc == 0)
            add_group(m, &machines);
        pxs_strlist_free(&machines);
    }
    pxs_strlist_free(&groups);
    return rc;
}

const char *pxs_mon_groups_text(const pxs_monitor *m)
{
    const char *text = pxs_conf_get(m->cfg, "monitoring", "machines", NULL);
    return text != NULL ? text : pxs_conf_get(m->cfg, "graphics", "logFilesMachines", "");
}

/* The group a snapshot's machine name belongs to; without configured groups
 * every name seen becomes a group of its own. Returns -1 for a stranger. */
static long group_of(pxs_monitor *m, const char *name, bool configured)
{
    for (size_t i = 0; i < m->ngroups; i++) {
        const pxs_mon_group *g = &m->groups[i];
        if (pxs_strlist_has(&g->machines, name) || (g->merged && strcmp(g->merged, name) == 0))
            return (long)i;
    }
    if (configured)
        return -1;
    pxs_strlist one;
    pxs_strlist_init(&one);
    pxs_strlist_add(&one, name);
    long g = (long)add_group(m, &one);
    pxs_strlist_free(&one);
    return g;
}

/* Notes a snapshot of (client, ft, group) of the group's name k (its
 * machines, then the merged name) starting at t. Targets of one client are
 * contiguous from index first. */
static void note_target(pxs_monitor *m, size_t first, const char *client, pxs_filetype ft,
                        size_t group, size_t k, int64_t t)
{
    pxs_mon_target *x = NULL;
    for (size_t i = first; i < m->ntargets && x == NULL; i++)
        if (m->targets[i].ft == ft && m->targets[i].group == group)
            x = &m->targets[i];
    if (x == NULL) {
        size_t nn = m->groups[group].machines.n + 1;
        m->targets = xrealloc(m->targets, (m->ntargets + 1) * sizeof *m->targets);
        x = &m->targets[m->ntargets++];
        *x = (pxs_mon_target){xstrdup(client), ft, group, t, xmalloc(nn * sizeof(int64_t))};
        for (size_t j = 0; j < nn; j++)
            x->first_of[j] = INT64_MAX;
    }
    if (t < x->first)
        x->first = t;
    if (t < x->first_of[k])
        x->first_of[k] = t;
}

/* The index of name in group g: one of its machines, or (machines.n) its
 * merged name. */
static size_t name_index(const pxs_mon_group *g, const char *name)
{
    for (size_t j = 0; j < g->machines.n; j++)
        if (strcmp(g->machines.v[j], name) == 0)
            return j;
    return g->machines.n;
}

/* "<name>_<HH>": splits off the hour. Returns false for anything else
 * (temporaries of atomicfile start with '.'). */
static bool split_snapshot_name(const char *file, char *name, size_t size, int *hour)
{
    size_t n = strlen(file);
    if (file[0] == '.' || n < 4 || n - 3 >= size || file[n - 3] != '_' ||
        !isdigit((unsigned char)file[n - 2]) || !isdigit((unsigned char)file[n - 1]))
        return false;
    *hour = (file[n - 2] - '0') * 10 + (file[n - 1] - '0');
    memcpy(name, file, n - 3);
    name[n - 3] = '\0';
    return *hour < 24 && pxs_name_valid(name);
}

static bool parse_day(const char *s, int64_t *t)
{
    char iso[PXS_ISO_SIZE];
    if (strlen(s) != 8 || strspn(s, "0123456789") != 8)
        return false;
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s 00:00:00", s, s + 4, s + 6);
    return pxs_parse_iso(iso, PXS_ISO_LEN, t);
}

static void scan_ft_dir(pxs_monitor *m, size_t first, const char *client, const char *dir,
                        pxs_filetype ft, int64_t day, bool configured)
{
    pxs_dirlist d;
    char name[PXS_NAME_MAX * 8];
    int hour;
    /* Listed without following links (safefs.h); a missing one is empty. */
    if (pxs_dir_read(dir, &d) != 0)
        return;
    for (size_t i = 0; i < d.n; i++) {
        if (!split_snapshot_name(d.e[i].name, name, sizeof name, &hour))
            continue;
        long g = group_of(m, name, configured);
        if (g >= 0)
            note_target(m, first, client, ft, (size_t)g, name_index(&m->groups[g], name),
                        day + (int64_t)hour * PXS_HOUR);
    }
    pxs_dir_free(&d);
}

static int scan_client(pxs_monitor *m, const char *client, bool configured)
{
    char *cdir = pxs_pickle_client_dir(m->cfg->statsdir, client);
    pxs_dirlist d;
    if (pxs_dir_read(cdir, &d) != 0) {
        free(cdir);
        return -1;
    }
    size_t first = m->ntargets;
    int64_t day;
    for (size_t i = 0; i < d.n; i++) {
        if (!S_ISDIR(d.e[i].type) || !parse_day(d.e[i].name, &day))
            continue;
        for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
            char *dir = pxs_pickle_ft_dir(m->cfg->statsdir, client, day, (pxs_filetype)ft);
            scan_ft_dir(m, first, client, dir, (pxs_filetype)ft, day, configured);
            free(dir);
        }
    }
    pxs_dir_free(&d);
    free(cdir);
    return 0;
}

int pxs_mon_inventory(pxs_monitor *m)
{
    if (pxs_mon_parse_groups(m, pxs_mon_groups_text(m)) < 0)
        return -1;
    bool configured = m->ngroups > 0;
    pxs_strlist clients;
    pxs_strlist_init(&clients);
    int rc = pxs_clients_from_pickles(m->cfg->statsdir, &clients);
    for (size_t i = 0; i < clients.n && rc == 0; i++)
        rc = scan_client(m, clients.v[i], configured);
    pxs_strlist_free(&clients);
    return rc;
}
