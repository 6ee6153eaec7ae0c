/* monitor_pickles — check 2: every expected hourly snapshot of the last days
 * exists, for each machine of a group and for the merged group: expected
 * where statsUpdater (pickleMerge) would have written one, i.e. every hour
 * from the series' own first snapshot on (for the merged name, the hours
 * where some machine has a snapshot).
 *
 * Missing hours are reported as ranges, and a range missing for several
 * clients on the same machine is one line: a machine down for a day is one
 * line, not 24 x clients. */
#include "pxstats/monitor.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <zlib.h>

#include "pxstats/layout.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

/* One range of missing hours [start, last] of (client, ft, name). */
typedef struct miss {
    const char *client, *name;
    pxs_filetype ft;
    int64_t start, last;
} miss;

typedef struct misses {
    miss *v;
    size_t n, cap;
} misses;

static void add_miss(misses *ms, const miss *x)
{
    xgrow((void **)&ms->v, &ms->cap, ms->n + 1, sizeof *ms->v);
    ms->v[ms->n++] = *x;
}

static bool snapshot_exists(const pxs_monitor *m, const pxs_mon_target *t, const char *name,
                            int64_t h)
{
    char *path = pxs_pickle_path(m->cfg->statsdir, t->client, h, t->ft, name);
    /* A link or a special file is no snapshot (safefs.h). */
    bool present = pxs_regular_check(path) == 1;
    free(path);
    return present;
}

/* True when some machine of the group has its snapshot of hour h: pickleMerge
 * makes a merged snapshot of an hour only then. */
static bool any_machine(const pxs_monitor *m, const pxs_mon_target *t, int64_t h)
{
    const pxs_mon_group *g = &m->groups[t->group];
    for (size_t j = 0; j < g->machines.n; j++)
        if (snapshot_exists(m, t, g->machines.v[j], h))
            return true;
    return false;
}

/* Adds the ranges of (t, name) whose snapshot is absent in [from, end). */
static void scan_series(const pxs_monitor *m, const pxs_mon_target *t, const char *name,
                        bool merged, int64_t from, int64_t end, misses *ms)
{
    miss cur = {t->client, name, t->ft, -1, -1};
    for (int64_t h = from; h < end; h += PXS_HOUR) {
        bool present = snapshot_exists(m, t, name, h) || (merged && !any_machine(m, t, h));
        if (!present) {
            if (cur.start < 0)
                cur.start = h;
            cur.last = h;
        } else if (cur.start >= 0) {
            add_miss(ms, &cur);
            cur.start = -1;
        }
    }
    if (cur.start >= 0)
        add_miss(ms, &cur);
}

static int cmp_miss(const void *a, const void *b)
{
    const miss *x = a, *y = b;
    int c;
    if (x->ft != y->ft)
        return x->ft < y->ft ? -1 : 1;
    if ((c = strcmp(x->name, y->name)) != 0)
        return c;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->last != y->last)
        return x->last < y->last ? -1 : 1;
    return strcmp(x->client, y->client);
}

/* Reports v[0..n): the same range of one (ft, name) for n clients. A range
 * that begins at the window's start began before it: its key does not move
 * as the window slides, so an outage stays one known problem. */
/* Names shown in a line; more are counted (a machine down means every client). */
#define SHOWN 10

/* Reports v[0..n): the same range of one (ft, name) for n clients. A range
 * that begins at the window's start began before it: its key does not move
 * as the window slides, so an outage stays one known problem. */
static void report_range(pxs_monitor *m, const miss *v, size_t n, int64_t wstart)
{
    char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
    pxs_format_iso(v[0].start, a);
    pxs_format_iso(v[0].last, b);
    pxs_strlist cl;
    pxs_strlist_init(&cl);
    for (size_t i = 0; i < n && i < SHOWN; i++)
        pxs_strlist_add(&cl, v[i].client);
    char *list = pxs_strlist_join(&cl, ",");
    char *who = n == 1 ? xstrdup(list) : n <= SHOWN ? xasprintf("{%s}", list)
                                                     : xasprintf("{%s,...}", list);
    /* The key names every client, as a checksum: another set of clients
     * missing the same hours is another problem. */
    unsigned long crc = crc32(0L, Z_NULL, 0);
    for (size_t i = 0; i < n; i++)
        crc = crc32(crc, (const unsigned char *)v[i].client, (uInt)strlen(v[i].client) + 1);
    char *key = xasprintf("missing %s %s %zu:%08lx since %s", pxs_filetype_name(v[0].ft),
                          v[0].name, n, crc, v[0].start <= wstart ? "window" : a);
    char more[64] = "";
    if (n > SHOWN)
        snprintf(more, sizeof more, " for %zu clients", n);
    long long hours = (v[0].last - v[0].start) / PXS_HOUR + 1;
    pxs_mon_add(m, PXS_MON_PICKLES, key,
                "missing pickles/%s/<YYYYMMDD>/%s/%s_<HH>%s from %s to %s (%lld hour%s)", who,
                pxs_filetype_name(v[0].ft), v[0].name, more, a, b, hours, hours == 1 ? "" : "s");
    free(key);
    free(who);
    free(list);
    pxs_strlist_free(&cl);
}

void pxs_mon_check_pickles(pxs_monitor *m)
{
    long days = 7;
    pxs_conf_get_int(m->cfg, "monitoring", "days", 7, 1, 366, &days);
    int64_t end = pxs_hour_floor(m->now);   /* hours that are complete */
    int64_t wstart = end - (int64_t)days * PXS_DAY;
    misses ms = {0};
    for (size_t i = 0; i < m->ntargets; i++) {
        const pxs_mon_target *t = &m->targets[i];
        const pxs_mon_group *g = &m->groups[t->group];
        /* Each series from its own first snapshot: statsUpdater writes none
         * for the hours before a client's first log line on a machine. */
        for (size_t j = 0; j <= g->machines.n; j++) {
            if (t->first_of[j] == INT64_MAX || (j == g->machines.n && g->merged == NULL))
                continue;
            int64_t from = t->first_of[j] > wstart ? t->first_of[j] : wstart;
            scan_series(m, t, j < g->machines.n ? g->machines.v[j] : g->merged,
                        j == g->machines.n, from, end, &ms);
        }
    }
    if (ms.n > 0)   /* qsort wants a valid pointer even for no item */
        qsort(ms.v, ms.n, sizeof *ms.v, cmp_miss);
    for (size_t i = 0; i < ms.n;) {
        size_t j = i + 1;
        while (j < ms.n && ms.v[j].ft == ms.v[i].ft && strcmp(ms.v[j].name, ms.v[i].name) == 0 &&
               ms.v[j].start == ms.v[i].start && ms.v[j].last == ms.v[i].last)
            j++;
        report_range(m, ms.v + i, j - i, wstart);
        i = j;
    }
    pxs_mon_note(m, PXS_MON_PICKLES, "%zu series checked over the last %ld days", m->ntargets,
                 days);
    free(ms.v);
}
