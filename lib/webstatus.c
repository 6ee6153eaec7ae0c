/* webstatus — status.html (contract in webstatus.h). */
#include "pxstats/webstatus.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pxstats/dbupdates.h"
#include "pxstats/fedincomplete.h"
#include "pxstats/launch.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pickletree.h"
#include "pxstats/pxtime.h"
#include "pxstats/query.h"
#include "pxstats/runlog.h"
#include "pxstats/web.h"
#include "pxstats/xalloc.h"

/* The lag beyond which a machine or an archive is behind: statsUpdater and
 * rrdTransfer run every hour, so one hour missing may be a run not yet done
 * this hour, two are a problem. */
#define MAX_LAG PXS_HOUR
/* A remote pickling machine not synchronised for this long is behind. */
#define MAX_SYNC_AGE (2 * PXS_HOUR)

typedef struct page {
    FILE *fp;
    const pxs_config *cfg;
    int64_t now, hour;        /* the time of the page; the current hour's start */
} page;

static const char *when(int64_t t, char *buf)
{
    return t > 0 ? pxs_format_iso(t, buf) : "never";
}

/* "3 h 20 min" (fresh string). */
static char *lag_text(int64_t seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < PXS_HOUR)
        return xasprintf("%lld min", (long long)(seconds / PXS_MINUTE));
    return xasprintf("%lld h %02lld min", (long long)(seconds / PXS_HOUR),
                     (long long)(seconds % PXS_HOUR / PXS_MINUTE));
}

static void cell(FILE *fp, const char *text)
{
    char *esc = pxs_html_escape(text);
    fprintf(fp, "<td>%s</td>", esc);
    free(esc);
}

/* ---- collection ---- */

/* The end of the machine's newest snapshot (tx or rx), or 0. */
static int64_t collected_up_to(const char *statsdir, const char *machine)
{
    int64_t best = 0;

    for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
        int64_t h;
        if (pxs_pickle_newest(statsdir, (pxs_filetype)ft, NULL, machine, &h) == 1 &&
            h + PXS_HOUR > best)
            best = h + PXS_HOUR;
    }
    return best;
}

/* ---- pickleSync ---- */

typedef struct sync_seen {
    const char *host;
    int64_t last_ok, last_try;
    bool last_failed;
} sync_seen;

/* pickleSync logs "<login@host:port>: synchronised" or "...: failed". */
static void sync_line(int64_t t, const char *text, void *arg)
{
    sync_seen *s = arg;
    const char *at = strchr(text, '@'), *host = at ? at + 1 : text;
    size_t hl = strlen(s->host);

    if (strncmp(host, s->host, hl) != 0 || host[hl] != ':')
        return;
    const char *what = strstr(host, ": ");
    if (what == NULL)
        return;
    s->last_try = t;
    s->last_failed = strcmp(what + 2, "synchronised") != 0;
    if (!s->last_failed)
        s->last_ok = t;
}

/* The pickling machine of a log machine: [graphics] picklingMachines holds
 * one per log machine, in the order of the groups. NULL when unknown. */
static const char *pickling_machine(const pxs_strlist *logms, const pxs_strlist *pickms,
                                    const char *machine)
{
    for (size_t i = 0; i < logms->n && i < pickms->n; i++)
        if (strcmp(logms->v[i], machine) == 0)
            return pickms->v[i];
    return NULL;
}

/* The pickleSync cell; returns false when it is a problem. */
static bool sync_cell(const page *pg, const char *pickm, char *text, size_t size)
{
    char t1[PXS_ISO_SIZE];

    if (pickm == NULL) {
        snprintf(text, size, "- (no [graphics] picklingMachines entry)");
        return true;
    }
    if (pxs_launch_is_local(pg->cfg, pickm)) {
        snprintf(text, size, "here (%s pickles it on this host)", pickm);
        return true;
    }
    sync_seen s = {.host = pickm};
    if (pxs_runlog_read(pg->cfg->statsdir, "pickleSync", sync_line, &s) < 0) {
        snprintf(text, size, "%s", pxs_error());
        return false;
    }
    snprintf(text, size, "%s from %s%s", when(s.last_ok, t1), pickm,
             s.last_failed ? " (the last attempt failed)" : "");
    return s.last_ok > 0 && !s.last_failed && pg->now - s.last_ok <= MAX_SYNC_AGE;
}

/* ---- the archive ---- */

/* The archive cell of a group; returns false when a client's snapshots are
 * more than MAX_LAG ahead of its feed. */
static bool archive_cell(const page *pg, const char *group, char *text, size_t size)
{
    const char *statsdir = pg->cfg->statsdir;
    pxs_strlist machines, behind;
    char *gname;
    int64_t newest = 0;
    size_t fed = 0;
    char t1[PXS_ISO_SIZE];

    pxs_strlist_init(&machines);
    pxs_strlist_init(&behind);
    pxs_strlist_split(&machines, group, ',');
    gname = pxs_group_name(&machines);
    for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
        pxs_strlist clients;
        pxs_strlist_init(&clients);
        pxs_dbupdates_clients(statsdir, (pxs_filetype)ft, gname, &clients);
        for (size_t i = 0; i < clients.n; i++) {
            int64_t t, snap = 0;
            if (pxs_dbupdates_get(statsdir, (pxs_filetype)ft, clients.v[i], gname, &t) != 1)
                continue;
            fed++;
            if (t > newest)
                newest = t;
            pxs_strlist one = {&clients.v[i], 1, 1};
            for (size_t m = 0; m < machines.n; m++) {
                int64_t h;
                if (pxs_pickle_newest(statsdir, (pxs_filetype)ft, &one, machines.v[m], &h) == 1 &&
                    h + PXS_HOUR > snap)
                    snap = h + PXS_HOUR;
            }
            /* data waiting to be fed, not a client that has gone quiet */
            if (snap - t > MAX_LAG) {
                char *b = xasprintf("%s_%s", pxs_filetype_name((pxs_filetype)ft), clients.v[i]);
                pxs_strlist_add(&behind, b);
                free(b);
            }
        }
        pxs_strlist_free(&clients);
    }
    if (fed == 0) {
        snprintf(text, size, "never (no DATABASE-UPDATES of %s)", gname);
    } else {
        char *lag = lag_text(pg->hour - newest);
        char *names = pxs_strlist_join(&behind, ", ");
        snprintf(text, size, "%s (%s behind; %zu fed%s%s)", when(newest, t1), lag, fed,
                 behind.n ? "; behind their snapshots: " : "", names);
        free(lag);
        free(names);
    }
    bool ok = fed > 0 && behind.n == 0 && pg->hour - newest <= MAX_LAG;
    free(gname);
    pxs_strlist_free(&machines);
    pxs_strlist_free(&behind);
    return ok;
}

/* The hours of the last 24 fed into the group's archive while the machine's
 * snapshot was missing. */
static bool incomplete_cell(const page *pg, const char *group, const char *machine, char *text,
                            size_t size)
{
    const char *statsdir = pg->cfg->statsdir;
    pxs_strlist machines;
    size_t total = 0;
    int64_t first = 0;
    char iso[PXS_ISO_SIZE];
    bool ok = true;

    pxs_strlist_init(&machines);
    pxs_strlist_split(&machines, group, ',');
    char *gname = pxs_group_name(&machines);
    for (int ft = PXS_TX; ft <= PXS_RX && ok; ft++) {
        pxs_strlist clients;
        pxs_strlist_init(&clients);
        pxs_dbupdates_clients(statsdir, (pxs_filetype)ft, gname, &clients);
        for (size_t i = 0; i < clients.n; i++) {
            int64_t *hours = NULL;
            size_t n = 0;
            if (pxs_fed_incomplete(statsdir, (pxs_filetype)ft, clients.v[i], &machines, machine,
                                   pg->hour - PXS_DAY, pg->hour, &hours, &n) < 0) {
                snprintf(text, size, "%s", pxs_error());
                ok = false;
            }
            if (n > 0 && (total == 0 || hours[0] < first))
                first = hours[0];   /* the hours come in ascending order */
            total += n;
            free(hours);
        }
        pxs_strlist_free(&clients);
    }
    if (ok && total == 0)
        snprintf(text, size, "none");
    else if (ok)
        snprintf(text, size, "%zu (client, hour) fed without its data, the first at %s",
                 total, pxs_format_iso(first, iso));
    free(gname);
    pxs_strlist_free(&machines);
    return ok && total == 0;
}

/* ---- the rows ---- */

static void machine_row(const page *pg, const char *machine, const char *group,
                        const pxs_strlist *logms, const pxs_strlist *pickms)
{
    char t1[PXS_ISO_SIZE], sync[512], archive[1024], incomplete[512];
    int64_t up_to = collected_up_to(pg->cfg->statsdir, machine);
    bool coll_ok = up_to > 0 && pg->hour - up_to <= MAX_LAG;
    bool sync_ok = sync_cell(pg, pickling_machine(logms, pickms, machine), sync, sizeof sync);
    bool arch_ok = archive_cell(pg, group, archive, sizeof archive);
    bool inc_ok = incomplete_cell(pg, group, machine, incomplete, sizeof incomplete);
    bool ok = coll_ok && sync_ok && arch_ok && inc_ok;
    char *esc = pxs_html_escape(machine), *lag = lag_text(pg->hour - up_to);

    fprintf(pg->fp, "<tr class=\"%s\" data-status=\"%s\" data-key=\"machine:%s\"><td class=\"name\">%s</td>",
            ok ? "ok" : "bad", ok ? "ok" : "bad", esc, esc);
    cell(pg->fp, when(up_to, t1));
    cell(pg->fp, up_to > 0 ? lag : "-");
    cell(pg->fp, sync);
    cell(pg->fp, archive);
    cell(pg->fp, incomplete);
    fputs("</tr>\n", pg->fp);
    free(esc);
    free(lag);
}

static void machines_table(const page *pg, const pxs_strlist *groups)
{
    pxs_strlist logms, pickms, seen;

    pxs_strlist_init(&logms);
    pxs_strlist_init(&pickms);
    pxs_strlist_init(&seen);
    /* The log machines of [graphics] in order, for their pickling machines. */
    pxs_strlist lgroups;
    pxs_strlist_init(&lgroups);
    if (pxs_groups_parse(pxs_conf_get(pg->cfg, "graphics", "logFilesMachines", ""), &lgroups) == 0)
        for (size_t g = 0; g < lgroups.n; g++)
            pxs_strlist_split(&logms, lgroups.v[g], ',');
    pxs_strlist_free(&lgroups);
    pxs_strlist_split(&pickms, pxs_conf_get(pg->cfg, "graphics", "picklingMachines", ""), ';');

    fputs("<h2>Log machines</h2>\n<table class=\"status\">\n<thead><tr>"
          "<th scope=\"col\">Machine</th><th scope=\"col\">Collected up to (statsUpdater)</th>"
          "<th scope=\"col\">Lag behind the hour</th><th scope=\"col\">Last pickleSync</th>"
          "<th scope=\"col\">Archive fed up to (rrdTransfer)</th>"
          "<th scope=\"col\">Hours fed incomplete (24 h)</th></tr></thead>\n<tbody>\n",
          pg->fp);
    for (size_t g = 0; g < groups->n; g++) {
        pxs_strlist ms;
        pxs_strlist_init(&ms);
        pxs_strlist_split(&ms, groups->v[g], ',');
        for (size_t i = 0; i < ms.n; i++)
            if (!pxs_strlist_has(&seen, ms.v[i])) {
                pxs_strlist_add(&seen, ms.v[i]);
                machine_row(pg, ms.v[i], groups->v[g], &logms, &pickms);
            }
        pxs_strlist_free(&ms);
    }
    fputs("</tbody>\n</table>\n", pg->fp);
    pxs_strlist_free(&logms);
    pxs_strlist_free(&pickms);
    pxs_strlist_free(&seen);
}

/* ---- the clients of the last hour ---- */

typedef struct problems {
    const page *pg;
    const char *group;
    size_t n;
} problems;

static void client_row(const pxs_query_row *r, void *arg)
{
    problems *pr = arg;
    double errors = PXS_QV(r, PXS_Q_ERRORS), p95 = PXS_QV(r, PXS_Q_LAT_P95);
    int maxlat = pr->pg->cfg->max_latency;
    bool late = r->ft == PXS_TX && !isnan(p95) && p95 > maxlat;

    if (isnan(errors) || (errors == 0 && !late))
        return;
    char *esc = pxs_html_escape(r->client), *gesc = pxs_html_escape(pr->group);
    char *what = NULL;
    if (errors > 0 && late)
        what = xasprintf("%.0f errors; p95 latency %.0f s (max %d s)", errors, p95, maxlat);
    else if (errors > 0)
        what = xasprintf("%.0f errors", errors);
    else
        what = xasprintf("p95 latency %.0f s (max %d s)", p95, maxlat);
    fprintf(pr->pg->fp,
            "<tr class=\"bad\" data-status=\"bad\" data-key=\"client:%s_%s\"><td class=\"name\">%s</td>"
            "<td>%s</td><td>%s</td><td>%s</td></tr>\n",
            pxs_filetype_name(r->ft), esc, esc, pxs_filetype_name(r->ft), gesc, what);
    free(what);
    free(esc);
    free(gesc);
    pr->n++;
}

static void clients_table(const page *pg, const pxs_strlist *groups)
{
    char s[PXS_ISO_SIZE], e[PXS_ISO_SIZE];
    problems pr = {pg, NULL, 0};

    fprintf(pg->fp, "<h2>Clients and sources of the last hour</h2>\n<p>From %s to %s UTC: "
                    "errors, or a 95th percentile of latency over the maximum latency.</p>\n",
            pxs_format_iso(pg->hour - PXS_HOUR, s), pxs_format_iso(pg->hour, e));
    fputs("<table class=\"status\">\n<thead><tr><th scope=\"col\">Client or source</th>"
          "<th scope=\"col\">Type</th><th scope=\"col\">Machines</th><th scope=\"col\">What</th>"
          "</tr></thead>\n<tbody>\n", pg->fp);
    for (size_t g = 0; g < groups->n; g++) {
        pxs_strlist machines;
        pxs_strlist_init(&machines);
        pxs_strlist_split(&machines, groups->v[g], ',');
        pr.group = groups->v[g];
        for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
            pxs_strlist clients;
            pxs_strlist_init(&clients);
            if (pxs_pickle_clients(pg->cfg->statsdir, (pxs_filetype)ft, &clients) == 0) {
                pxs_query q = {.statsdir = pg->cfg->statsdir, .ft = (pxs_filetype)ft,
                               .clients = &clients, .machines = &machines,
                               .start = pg->hour - PXS_HOUR, .end = pg->hour,
                               .by = PXS_BY_TOTAL, .archive = false};
                pxs_query_run(&q, client_row, &pr);
            }
            pxs_strlist_free(&clients);
        }
        pxs_strlist_free(&machines);
    }
    if (pr.n == 0)
        fprintf(pg->fp,
                "<tr class=\"ok\" data-status=\"ok\" data-key=\"clients\"><td colspan=\"4\">No "
                "client or source had errors or a p95 latency over %d s.</td></tr>\n",
                pg->cfg->max_latency);
    fputs("</tbody>\n</table>\n", pg->fp);
}

int pxs_webstatus_render(FILE *fp, const pxs_config *cfg, const pxs_strlist *groups, int64_t now)
{
    page pg = {fp, cfg, now, pxs_hour_floor(now)};
    char iso[PXS_ISO_SIZE];

    pxs_web_head(fp, "Status", now);
    fprintf(fp, "<p>Computed at %s UTC. A row is green when all is well, red when not: a "
                "machine collected or archived more than an hour behind, a synchronisation "
                "failed or older than two hours, hours fed while a machine's snapshot was "
                "missing.</p>\n",
            pxs_format_iso(now, iso));
    machines_table(&pg, groups);
    clients_table(&pg, groups);
    fputs("</body>\n</html>\n", fp);
    return ferror(fp) ? -1 : 0;
}

typedef struct status_args {
    const pxs_config *cfg;
    const pxs_strlist *groups;
    int64_t now;
} status_args;

static int render(FILE *fp, void *arg)
{
    const status_args *a = arg;
    return pxs_webstatus_render(fp, a->cfg, a->groups, a->now);
}

int pxs_webstatus_write(const pxs_config *cfg, const pxs_strlist *groups, int64_t now)
{
    status_args a = {cfg, groups, now};
    return pxs_web_write_page(cfg->statsdir, "status.html", render, &a);
}
