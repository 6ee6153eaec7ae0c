/* webimages — the image tree behind the pages. See webimages.h. */
#include "pxstats/webimages.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/launch.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/spawn.h"
#include "pxstats/web.h"
#include "pxstats/xalloc.h"

int pxs_webimages_daily(const char *statsdir, int64_t now, int *copied)
{
    char day[16];
    pxs_period_label(PXS_DAILY, pxs_web_ref_time(now), day, sizeof day);
    char *dir = xasprintf("%s/webGraphics/columbo", statsdir);
    pxs_dirlist dl;
    int rc = 0;
    *copied = 0;
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
        char *dst = xasprintf("%s/webGraphics/daily/%s/%s.png", statsdir, name, day);
        if (pxs_atomic_copy(src, dst) < 0) {
            pxs_warnx("%s", pxs_error());
            rc = 1;
        } else {
            ++*copied;
        }
        free(src);
        free(dst);
        free(name);
    }
    pxs_dir_free(&dl);
    free(dir);
    return rc;
}

/* <stats>/webGraphics/<period>/.drawn: present when the last drawing of the
 * span succeeded for every group. A failed or interrupted drawing leaves it
 * absent, so that the next run draws the span again, boundary or not. */
static char *drawn_stamp(const char *statsdir, const char *period)
{
    return xasprintf("%s/webGraphics/%s/.drawn", statsdir, period);
}

static int span_drawn(const char *statsdir, const char *period)
{
    struct stat st;
    char *p = drawn_stamp(statsdir, period);
    int ok = stat(p, &st) == 0;
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

void pxs_webimages_groups(const pxs_config *cfg, pxs_strlist *out)
{
    const char *v = pxs_conf_get(cfg, "databases", "machineNames", NULL);
    if (!v || !*v)
        v = pxs_conf_get(cfg, "graphics", "logFilesMachines", "");
    if (pxs_groups_parse(v, out) != 0)
        pxs_warnx("%s: %s", pxs_conf_get(cfg, "databases", "machineNames", NULL)
                                ? "[databases] machineNames" : "[graphics] logFilesMachines",
                  pxs_error());
    /* no config: the databases are those of this host, as statsUpdater's
     * default machine is its host name */
    if (out->n == 0) {
        char *host = pxs_host_name();
        if (pxs_name_valid(host))
            pxs_strlist_add(out, host);
        free(host);
    }
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
 * DATABASE-UPDATES/<ft>/<client>_<m1m2> exists. rrdGraph has nothing to draw
 * (and says so with a failure) for a group without sources, say. */
static bool group_fed(const char *statsdir, const char *ft, const char *group)
{
    pxs_strlist m;
    pxs_strlist_init(&m);
    pxs_strlist_split(&m, group, ',');
    char *gname = pxs_group_name(&m);
    char *suffix = xasprintf("_%s", gname);
    char *dir = xasprintf("%s/DATABASE-UPDATES/%s", statsdir, ft);
    size_t sl = strlen(suffix);
    bool found = false;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && !found && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        found = l > sl && strcmp(e->d_name + l - sl, suffix) == 0;
    }
    if (d)
        closedir(d);
    free(dir);
    free(suffix);
    free(gname);
    pxs_strlist_free(&m);
    return found;
}

/* The --date of a span's drawing at hour h. rrdGraph names an image after
 * the period of the end of its span; at the hour that ends a period that
 * would be the new period, so the finished one is drawn up to the hour
 * before (one hour short) and keeps its own name: that drawing is the frozen
 * image. At any other hour the graph ends at h. */
static int64_t span_end(pxs_period p, int64_t h)
{
    char now[32], before[32];
    pxs_period_label(p, h, now, sizeof now);
    pxs_period_label(p, h - 1, before, sizeof before);
    return strcmp(now, before) == 0 ? h : h - 1;
}

int pxs_webimages_periods(const pxs_webimages_opts *o)
{
    static const struct { unsigned bit; pxs_period p; const char *opt; } spans[] = {
        {PXS_IMG_WEEK, PXS_WEEKLY, "-w"}, {PXS_IMG_MONTH, PXS_MONTHLY, "-m"},
        {PXS_IMG_YEAR, PXS_YEARLY, "-y"}};
    static const char *const fts[] = {"rx", "tx"};
    char date[PXS_ISO_SIZE];
    pxs_strlist groups;
    int rc = 0;

    pxs_strlist_init(&groups);
    pxs_webimages_groups(o->cfg, &groups);
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
        if (!(o->spans & spans[s].bit))
            continue;
        stamp = drawn_stamp(o->statsdir, folder[s]);
        if (!o->dry_run)
            unlink(stamp);
        pxs_format_iso(span_end(spans[s].p, pxs_hour_floor(o->now)), date);
        for (size_t g = 0; g < groups.n; g++) {
            for (size_t f = 0; f < 2; f++) {
                if (group_fed(o->statsdir, fts[f], groups.v[g]))
                    span_rc |= run_rrdgraph(o, fts[f], groups.v[g], spans[s].opt, date);
                else
                    pxs_info("no %s database of %s yet: nothing to draw", fts[f], groups.v[g]);
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
