/* monitor_rrd — check 4: the archive is being fed.
 *
 * Three witnesses: rrdTransfer's own log has a line in every complete hour of
 * the window (<stats>/log/rrdTransfer.log and its rotations, lines beginning
 * "YYYY-MM-DD HH:MM:SS"; [monitoring] rrdTransferLog moves it); the
 * DATABASE-UPDATES time of every client of every group is recent; the last
 * update of every database under <stats>/databases/<ft>/<type> is recent. "Recent" is
 * [monitoring] maxDatabaseAge minutes (default 120). Stale files are grouped
 * by their time: a stopped feed is one line, not one per database. Then the
 * hours rrdTransfer recorded as fed incomplete or stale (dbupdates.h), until
 * they are repaired. */
#include "pxstats/monitor.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxstats/dbupdates.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdstore.h"
#include "pxstats/xalloc.h"

typedef struct timed_list {
    pxs_mon_timed *v;
    size_t n, cap;
} timed_list;

static void timed_add(timed_list *l, char *name, int64_t t)
{
    xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = (pxs_mon_timed){name, t};
}

static void timed_free(timed_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
}

/* Marks the hours of [wstart, wend) that have a line in the file. */
static void scan_log(const char *path, int64_t wstart, unsigned char *seen, size_t nhours)
{
    int fd = pxs_file_open(path, O_RDONLY, 0);
    FILE *fp = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (fp == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char line[512];
    int64_t t;
    while (fgets(line, sizeof line, fp) != NULL)
        if (pxs_parse_iso(line, PXS_ISO_LEN, &t) && t >= wstart &&
            (size_t)((t - wstart) / PXS_HOUR) < nhours)
            seen[(t - wstart) / PXS_HOUR] = 1;
    fclose(fp);
}

/* The log and its rotations (<log>.1, <log>.2026-11-28, ...; not .gz). */
static int scan_logs(const char *log, int64_t wstart, unsigned char *seen, size_t nhours)
{
    char *dir = xstrdup(log), *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : log;
    if (slash)
        *slash = '\0';
    const char *in = slash ? dir : ".";
    pxs_dirlist d;
    int found = 0;
    if (pxs_dir_read(in, &d) == 0) {   /* a missing directory is empty */
        size_t bl = strlen(base);
        for (size_t i = 0; i < d.n; i++) {
            const char *e = d.e[i].name;
            size_t n = strlen(e);
            if (strncmp(e, base, bl) != 0 || (e[bl] != '\0' && e[bl] != '.') ||
                (n > 3 && strcmp(e + n - 3, ".gz") == 0))
                continue;
            char *p = xasprintf("%s/%s", in, e);
            scan_log(p, wstart, seen, nhours);
            free(p);
            found = 1;
        }
        pxs_dir_free(&d);
    }
    free(dir);
    return found;
}

/* A silence is keyed by its start. One at the window's start continues the
 * silence the previous run reported, if any: it keeps that key, so that an
 * ongoing stop stays one problem across runs. */
static char *transfer_key(const pxs_monitor *m, bool at_start, const char *start)
{
    static const char prefix[] = "3 transfer ";
    size_t n = strlen(prefix);
    for (size_t i = 0; at_start && i < m->prev_reported.n; i++)
        if (strncmp(m->prev_reported.v[i], prefix, n) == 0)
            return xasprintf("transfer %s", m->prev_reported.v[i] + n);
    return xasprintf("transfer %s", start);
}

static void check_transfer_log(pxs_monitor *m)
{
    char *def = xasprintf("%s/log/rrdTransfer.log", m->cfg->statsdir);
    const char *log = pxs_conf_get(m->cfg, "monitoring", "rrdTransferLog", def);
    int64_t wend = pxs_hour_floor(m->now), wstart = pxs_hour_floor(m->since);
    long days = 7;
    pxs_conf_get_int(m->cfg, "monitoring", "days", 7, 1, 366, &days);
    if (wstart < wend - (int64_t)days * PXS_DAY)
        wstart = wend - (int64_t)days * PXS_DAY;
    if (wstart < wend) {
        size_t nhours = (size_t)((wend - wstart) / PXS_HOUR);
        unsigned char *seen = xcalloc(nhours, 1);
        if (!scan_logs(log, wstart, seen, nhours))
            pxs_mon_note(m, PXS_MON_RRD, "rrdTransfer log %s not found", log);
        for (size_t i = 0; i < nhours;) {
            if (seen[i]) {
                i++;
                continue;
            }
            size_t j = i;
            while (j < nhours && !seen[j])
                j++;
            char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
            pxs_format_iso(wstart + (int64_t)i * PXS_HOUR, a);
            pxs_format_iso(wstart + (int64_t)j * PXS_HOUR, b);
            char *key = transfer_key(m, i == 0, a);
            pxs_mon_add(m, PXS_MON_RRD, key,
                        "rrdTransfer did not run between %s and %s (%zu hour%s without a line in %s)",
                        a, b, j - i, j - i == 1 ? "" : "s", log);
            free(key);
            i = j;
        }
        free(seen);
    }
    free(def);
}

/* DATABASE-UPDATES of every client of each group's database name. */
static void check_feed_times(pxs_monitor *m, int64_t max_age)
{
    timed_list stale = {0};
    for (size_t g = 0; g < m->ngroups; g++) {
        const pxs_mon_group *grp = &m->groups[g];
        const char *name = grp->merged ? grp->merged : grp->machines.v[0];
        for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
            pxs_strlist clients;
            pxs_strlist_init(&clients);
            if (pxs_dbupdates_clients(m->cfg->statsdir, (pxs_filetype)ft, name, &clients) < 0)
                pxs_mon_add(m, PXS_MON_RRD, "dbupdates", "%s", pxs_error());
            for (size_t i = 0; i < clients.n; i++) {
                int64_t t;
                int rc = pxs_dbupdates_get(m->cfg->statsdir, (pxs_filetype)ft, clients.v[i], name, &t);
                char *label = xasprintf("%s/%s_%s", pxs_filetype_name(ft), clients.v[i], name);
                if (rc < 0) {
                    pxs_mon_add(m, PXS_MON_RRD, label, "%s", pxs_error());
                    free(label);
                } else if (rc == 1 && m->now - t > max_age) {
                    timed_add(&stale, label, t);
                } else {
                    free(label);
                }
            }
            pxs_strlist_free(&clients);
        }
    }
    pxs_mon_add_grouped(m, PXS_MON_RRD, "feed", "DATABASE-UPDATES feeds", stale.v, stale.n);
    timed_free(&stale);
}

/* Every databases/<ft>/<type>/<file>: its last update. */
static void check_databases(pxs_monitor *m, int64_t max_age)
{
    timed_list stale = {0};
    size_t count = 0;
    for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
        pxs_dbtype types[PXS_DB_NTYPES];
        int nt = pxs_dbtypes_of((pxs_filetype)ft, types);
        for (int k = 0; k < nt; k++) {
            char *tdir = pxs_db_type_dir(m->cfg->statsdir, (pxs_filetype)ft,
                                         pxs_dbtype_name(types[k]));
            pxs_dirlist dbs;
            /* Listed without following links; a link or special file where a
             * database should be is reported by pxs_rrd_last, never opened. */
            if (pxs_dir_read(tdir, &dbs) != 0)
                pxs_mon_add(m, PXS_MON_RRD, tdir, "%s", pxs_error());
            for (size_t j = 0; j < dbs.n; j++) {
                const char *name = dbs.e[j].name;
                if (name[0] == '.')
                    continue;
                char *path = xasprintf("%s/%s", tdir, name);
                int64_t last;
                count++;
                if (pxs_rrd_last(path, &last) < 0)
                    pxs_mon_add(m, PXS_MON_RRD, path, "%s", pxs_error());
                else if (m->now - last > max_age)
                    timed_add(&stale, xasprintf("%s/%s/%s", pxs_filetype_name(ft),
                                                pxs_dbtype_name(types[k]), name), last);
                free(path);
            }
            pxs_dir_free(&dbs);
            free(tdir);
        }
    }
    pxs_mon_add_grouped(m, PXS_MON_RRD, "database", "databases", stale.v, stale.n);
    pxs_mon_note(m, PXS_MON_RRD, "%zu databases checked", count);
    timed_free(&stale);
}

/* The hours whose archive values are not what the snapshots say
 * (dbupdates.h): reported until rrdTransfer repairs them, or their snapshots
 * are cleaned away. Keyed by their first hour: a run of hours stays one
 * problem while it lasts. */
static void check_fed_hours(pxs_monitor *m)
{
    pxs_feed_problems p;
    if (pxs_feed_problems_list(m->cfg->statsdir, &p) != 0) {
        pxs_mon_add(m, PXS_MON_RRD, "fed hours", "%s", pxs_error());
        return;
    }
    for (size_t i = 0; i < p.n; i++) {
        const pxs_feed_problem *x = &p.v[i];
        char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
        long long hours = (x->last - x->first) / PXS_HOUR + 1;
        pxs_format_iso(x->first, a);
        pxs_format_iso(x->last, b);
        char *key = xasprintf("fed %s %s %s %s %s", pxs_fed_status_name(x->status),
                              pxs_filetype_name(x->ft), x->client, x->group, a);
        if (x->status == PXS_FED_INCOMPLETE)
            pxs_mon_add(m, PXS_MON_RRD, key,
                        "%s %s on %s: %lld hour%s from %s to %s fed without the snapshot of %s "
                        "(rrdTransfer rebuilds them when it arrives)",
                        pxs_filetype_name(x->ft), x->client, x->group, hours, hours == 1 ? "" : "s",
                        a, b, x->missing);
        else
            pxs_mon_add(m, PXS_MON_RRD, key,
                        "%s %s on %s: %lld hour%s from %s to %s changed after they were fed and "
                        "could not be rebuilt (no backup older than them matches the snapshots): "
                        "stale in the archive",
                        pxs_filetype_name(x->ft), x->client, x->group, hours, hours == 1 ? "" : "s",
                        a, b);
        free(key);
    }
    pxs_feed_problems_free(&p);
}

void pxs_mon_check_rrd(pxs_monitor *m)
{
    long minutes = 120;
    pxs_conf_get_int(m->cfg, "monitoring", "maxDatabaseAge", 120, 1, 525600, &minutes);
    check_transfer_log(m);
    check_feed_times(m, (int64_t)minutes * 60);
    check_databases(m, (int64_t)minutes * 60);
    check_fed_hours(m);
}
