/* webimages — the image tree behind the pages. See webimages.h. */
#include "pxstats/webimages.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/dbupdates.h"
#include "pxstats/launch.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pngspan.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/spawn.h"
#include "pxstats/web.h"
#include "pxstats/xalloc.h"

/* Copies the 24 h images of one file type whose graph ends within the day
 * of the reference time. */
static int copy_daily(const char *statsdir, pxs_filetype ft, int64_t ref, int *copied)
{
    char day[16];
    int64_t dstart, dend;
    pxs_period_label(PXS_DAILY, ref, day, sizeof day);
    pxs_period_bounds(PXS_DAILY, ref, &dstart, &dend);
    char *dir = pxs_columbo_dir(statsdir, ft);
    pxs_dirlist dl;
    int rc = 0;
    if (pxs_dir_read(dir, &dl) != 0) {
        pxs_warnx("%s", pxs_error());
        rc = 1;
    }
    for (size_t i = 0; i < dl.n; i++) {
        const char *e = dl.e[i].name;
        size_t l = strlen(e);
        if (e[0] == '.' || l <= 4 || strcmp(e + l - 4, ".png") != 0)
            continue;
        char *name = xstrndup(e, l - 4);
        if (pxs_name_check("client", name) < 0) {
            pxs_warnx("%s/%s: skipped: %s", dir, e, pxs_error());
            free(name);
            continue;
        }
        char *src = xasprintf("%s/%s", dir, e);
        int64_t s, t;
        int have = pxs_png_file_span(src, &s, &t);
        if (have < 0) {
            pxs_warnx("%s", pxs_error());
            rc = 1;
        } else if (have == 0 || t - 1 < dstart || t - 1 >= dend) {
            /* graphGen did not draw it for this day (it failed, or the
             * client is gone): this day's image stays missing rather than
             * showing another day's graph under this day's name. */
            pxs_info("%s: not drawn for %s: not copied", src, day);
        } else {
            char *rel = pxs_webimage_rel("daily", ft, NULL, name, day);
            char *dst = pxs_stats_file(statsdir, rel);
            if (pxs_atomic_copy(src, dst) < 0) {
                pxs_warnx("%s", pxs_error());
                rc = 1;
            } else {
                ++*copied;
            }
            free(dst);
            free(rel);
        }
        free(src);
        free(name);
    }
    pxs_dir_free(&dl);
    free(dir);
    return rc;
}

int pxs_webimages_daily(const char *statsdir, int64_t now, int *copied)
{
    *copied = 0;
    int64_t ref = pxs_web_ref_time(now);
    return copy_daily(statsdir, PXS_TX, ref, copied) | copy_daily(statsdir, PXS_RX, ref, copied);
}

/* <stats>/webGraphics/<period>/.drawn: present when the last drawing of the
 * span succeeded for every group. A failed or interrupted drawing leaves it
 * absent, so that the next run draws the span again, boundary or not. */
static char *drawn_stamp(const char *statsdir, const char *period)
{
    char *dir = pxs_webgraphics_dir(statsdir, period);
    char *p = xasprintf("%s/.drawn", dir);
    free(dir);
    return p;
}

static int span_drawn(const char *statsdir, const char *period)
{
    struct stat st;
    char *p = drawn_stamp(statsdir, period);
    int ok = pxs_path_stat(p, &st) == 0;
    free(p);
    return ok;
}

unsigned pxs_webimages_plan(const char *statsdir, int64_t now, bool refresh)
{
    int64_t h = pxs_hour_floor(now);
    unsigned spans = 0;
    /* 00:00 ends a day, and with it any week, month or year ending then:
     * redrawing all three at every midnight both freezes the finished
     * periods and keeps the long spans current to the day. */
    if (refresh || h % PXS_DAY == 0)
        spans = PXS_IMG_ALL;
    if ((h / PXS_HOUR) % 2 == 0)
        spans |= PXS_IMG_WEEK;
    if (!span_drawn(statsdir, "weekly"))
        spans |= PXS_IMG_WEEK;
    if (!span_drawn(statsdir, "monthly"))
        spans |= PXS_IMG_MONTH;
    if (!span_drawn(statsdir, "yearly"))
        spans |= PXS_IMG_YEAR;
    return spans;
}

int pxs_webimages_groups(const pxs_config *cfg, pxs_strlist *out)
{
    const char *v = pxs_conf_get(cfg, "databases", "machineNames", NULL);
    const char *key = "[databases] machineNames";
    if (!v || !*v) {
        v = pxs_conf_get(cfg, "graphics", "logFilesMachines", "");
        key = "[graphics] logFilesMachines";
    }
    if (pxs_groups_parse(v, out) != 0) {
        char *why = xstrdup(pxs_error());
        pxs_set_error("%s: %s", key, why);
        free(why);
        return -1;
    }
    /* no config: the databases are those of this host, as statsUpdater's
     * default machine is its host name */
    if (out->n == 0) {
        char *host = pxs_host_name();
        if (pxs_name_valid(host))
            pxs_strlist_add(out, host);
        free(host);
    }
    return 0;
}

static int run_rrdgraph(const pxs_webimages_opts *o, const char *ft, const char *group,
                        const char *span, const char *date)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)o->rrdgraph;
    if (o->root) {
        argv[n++] = "--root";
        argv[n++] = (char *)o->root;
    }
    if (o->config) {
        argv[n++] = "--config";
        argv[n++] = (char *)o->config;
    }
    char *fixed[] = {"-f", (char *)ft, "--machines", (char *)group, "-c", "All", (char *)span,
                     "-l", "--date", (char *)date};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        argv[n++] = fixed[i];
    argv[n] = NULL;
    if (o->dry_run) {
        pxs_argv_print(stdout, argv);
        return 0;
    }
    int st = pxs_spawn(argv, NULL);
    if (st == 0)
        return 0;
    if (st < 0)
        pxs_warnx("%s", pxs_error());
    else
        pxs_warnx("%s %s -f %s --machines %s failed (status %d)", o->rrdgraph, span, ft, group, st);
    return 1;
}

/* True when some database of fileType ft was fed for the group "m1,m2":
 * a DATABASE-UPDATES/<ft>/<client>_<m1m2> exists. rrdGraph has nothing to
 * draw (and says so with a failure) for a group without sources, say. */
static bool group_fed(const char *statsdir, pxs_filetype ft, const char *group)
{
    pxs_strlist m, clients;
    pxs_strlist_init(&m);
    pxs_strlist_init(&clients);
    pxs_strlist_split(&m, group, ',');
    char *gname = pxs_group_name(&m);
    bool found = pxs_dbupdates_clients(statsdir, ft, gname, &clients) == 0 && clients.n > 0;
    free(gname);
    pxs_strlist_free(&m);
    pxs_strlist_free(&clients);
    return found;
}

/* The --date of the drawings of period p at hour h: rrdGraph -l draws the
 * whole calendar period holding the hour before its --date, so h draws the
 * current period, and at the hour that ends a period, the finished one, for
 * the last time: that drawing is its frozen image, [start, end) exactly.
 * During the first day of a period the finished one is drawn again as well
 * (--date = its end), so that hours fed late (rrdTransfer holds back an hour
 * whose snapshots are not all there, up to maxWaitHours) reach its frozen
 * image. Returns the number of dates (1 or 2). */
static int span_dates(pxs_period p, int64_t h, int64_t dates[2])
{
    int64_t start, end;
    int n = 0;
    dates[n++] = h;
    pxs_period_bounds(p, h - 1, &start, &end);
    if (h > start && h - start < PXS_DAY)
        dates[n++] = start;
    return n;
}

int pxs_webimages_periods(const pxs_webimages_opts *o)
{
    static const struct { unsigned bit; pxs_period p; const char *opt; } spans[] = {
        {PXS_IMG_WEEK, PXS_WEEKLY, "-w"}, {PXS_IMG_MONTH, PXS_MONTHLY, "-m"},
        {PXS_IMG_YEAR, PXS_YEARLY, "-y"}};
    static const pxs_filetype fts[] = {PXS_RX, PXS_TX};
    pxs_strlist groups;
    int rc = 0;

    pxs_strlist_init(&groups);
    if (pxs_webimages_groups(o->cfg, &groups) != 0) {
        pxs_strlist_free(&groups);
        return -1;
    }
    if (groups.n == 0 && o->spans) {
        pxs_set_error("no machine group in the config ([databases] machineNames or "
                      "[graphics] logFilesMachines) and no usable host name: "
                      "no period image drawn");
        pxs_strlist_free(&groups);
        return -1;
    }
    for (size_t s = 0; s < 3; s++) {
        static const char *const folder[] = {"weekly", "monthly", "yearly"};
        char *stamp;
        int span_rc = 0;
        int64_t dates[2];
        char date[PXS_ISO_SIZE];
        if (!(o->spans & spans[s].bit))
            continue;
        stamp = drawn_stamp(o->statsdir, folder[s]);
        if (!o->dry_run)
            unlink(stamp);
        int nd = span_dates(spans[s].p, pxs_hour_floor(o->now), dates);
        for (int k = 0; k < nd; k++) {
            pxs_format_iso(dates[k], date);
            for (size_t g = 0; g < groups.n; g++) {
                for (size_t f = 0; f < 2; f++) {
                    if (group_fed(o->statsdir, fts[f], groups.v[g]))
                        span_rc |= run_rrdgraph(o, pxs_filetype_name(fts[f]), groups.v[g],
                                                spans[s].opt, date);
                    else
                        pxs_info("no %s database of %s yet: nothing to draw",
                                 pxs_filetype_name(fts[f]), groups.v[g]);
                }
            }
        }
        if (span_rc == 0 && !o->dry_run && pxs_atomic_write(stamp, date, strlen(date)) != 0) {
            pxs_warnx("%s", pxs_error());
            span_rc = 1;
        }
        rc |= span_rc;
        free(stamp);
    }
    pxs_strlist_free(&groups);
    return rc;
}
