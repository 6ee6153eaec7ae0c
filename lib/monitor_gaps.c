/* monitor_gaps — check 3: silences in the data longer than a client allows.
 *
 * A minute is "filled" when a machine of the group has a data row in it
 * (errors alone are no traffic); a missing snapshot is silence. The end of the
 * last filled minute is kept between runs (lastDataTimes), so that a silence
 * spanning two runs is measured whole, and it is keyed by its start, so that
 * an outage that goes on is one problem, not a new one every run. */
#include "pxstats/monitor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/collector.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/snapshot.h"
#include "pxstats/xalloc.h"

static const char *group_label(const pxs_mon_group *g)
{
    return g->merged != NULL ? g->merged : g->machines.v[0];
}

/* Marks the filled minutes of one snapshot in filled[] (minute 0 = wstart). */
static void mark_snapshot(pxs_monitor *m, const char *path, int64_t wstart, unsigned char *filled,
                          size_t nmin)
{
    pxs_hour h;
    if (pxs_snapshot_read(path, &h) < 0) {
        if (errno != ENOENT) {
            char *key = xasprintf("unreadable %s", path);
            pxs_mon_add(m, PXS_MON_GAPS, key, "%s", pxs_error());
            free(key);
        }
        return;
    }
    for (int b = 0; b < h.nbuckets; b++) {
        if (h.buckets[b].nb_files == 0)
            continue;
        for (int64_t t = h.buckets[b].start; t < h.buckets[b].start + h.interval; t += 60) {
            int64_t i = (t - wstart) / 60;
            if (i >= 0 && (size_t)i < nmin)
                filled[i] = 1;
        }
    }
    pxs_hour_free(&h);
}

/* The saved end of the last filled minute of a series, or -1. */
static int64_t saved_last(const pxs_monitor *m, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < m->prev_last_data.n; i++)
        if (strncmp(m->prev_last_data.v[i], prefix, n) == 0)
            return strtoll(m->prev_last_data.v[i] + n, NULL, 10);
    return -1;
}

static void report_gap(pxs_monitor *m, const pxs_mon_target *t, const char *label, int64_t from,
                       int64_t to, int64_t allowed)
{
    char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
    pxs_format_iso(from, a);
    pxs_format_iso(to, b);
    const char *ft = pxs_filetype_name(t->ft);
    char *key = xasprintf("gap %s %s %s %s", ft, t->client, label, a);
    pxs_mon_add(m, PXS_MON_GAPS, key,
                "%s %s on %s: No data was found between %s and %s (%lld minutes; %lld allowed).",
                ft, t->client, label, a, b, (long long)((to - from) / 60),
                (long long)(allowed / 60));
    free(key);
}

static void check_target(pxs_monitor *m, const pxs_mon_target *t, int64_t wstart, int64_t wend)
{
    const pxs_mon_group *g = &m->groups[t->group];
    const char *label = group_label(g);
    char *prefix = xasprintf("%s %s %s ", pxs_filetype_name(t->ft), t->client, label);
    size_t nmin = (size_t)((wend - wstart) / 60);
    unsigned char *filled = xcalloc(nmin + 1, 1);
    for (int64_t h = wstart; h < wend; h += PXS_HOUR)
        for (size_t j = 0; j < g->machines.n; j++) {
            char *path = pxs_pickle_path(m->cfg->statsdir, t->client, h, t->ft, g->machines.v[j]);
            mark_snapshot(m, path, wstart, filled, nmin);
            free(path);
        }
    /* Where the silence being measured began: the last data of the previous
     * run, else the window's start (or the series' first hour if later). */
    int64_t last = m->since_given ? -1 : saved_last(m, prefix);
    if (last < 0 || last > wstart)
        last = t->first > wstart ? t->first : wstart;
    int64_t allowed = pxs_mon_max_gap(m, t->client);
    for (size_t i = 0; i < nmin; i++) {
        if (!filled[i])
            continue;
        int64_t at = wstart + (int64_t)i * 60;
        if (at - last > allowed)
            report_gap(m, t, label, last, at, allowed);
        last = at + 60;
    }
    if (wend - last > allowed)
        report_gap(m, t, label, last, wend, allowed);
    char *line = xasprintf("%s%lld", prefix, (long long)last);
    pxs_strlist_add(&m->new_last_data, line);
    free(line);
    free(filled);
    free(prefix);
}

void pxs_mon_check_gaps(pxs_monitor *m)
{
    long days = 7;
    pxs_conf_get_int(m->cfg, "monitoring", "days", 7, 1, 366, &days);
    int64_t wend = pxs_hour_floor(m->now);
    int64_t wstart = pxs_hour_floor(m->since);
    if (wstart < wend - (int64_t)days * PXS_DAY)
        wstart = wend - (int64_t)days * PXS_DAY;
    if (wstart >= wend) {
        /* No complete hour since the previous run: keep what it knew. */
        for (size_t i = 0; i < m->prev_last_data.n; i++)
            pxs_strlist_add(&m->new_last_data, m->prev_last_data.v[i]);
        pxs_mon_note(m, PXS_MON_GAPS, "no complete hour since the previous run");
        return;
    }
    for (size_t i = 0; i < m->ntargets; i++)
        check_target(m, &m->targets[i], wstart, wend);
    char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];
    pxs_mon_note(m, PXS_MON_GAPS, "%zu series checked from %s to %s", m->ntargets,
                 pxs_format_iso(wstart, a), pxs_format_iso(wend, b));
}
