/* rrdplot — graphs from the RRD archive (see rrdplot.h). */
#include "pxstats/rrdplot.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/jobs.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pngspan.h"
#include "pxstats/pxtime.h"
#include "pxstats/web.h"
#include "pxstats/xalloc.h"

#define GRAPH_WIDTH "800"
#define GRAPH_HEIGHT "200"

int64_t pxs_rrdgraph_step(int64_t span_seconds)
{
    int64_t minutes = span_seconds / 60;
    if (minutes < 7200)
        return 60;
    if (minutes < 20160)
        return 3600;
    if (minutes < 1460 * 240)
        return 14400;
    return 86400;
}

/* The AVERAGE points of one database: v[i] stands for the step ending at
 * first + i * step. */
typedef struct series {
    double *v;
    size_t n;
    int64_t step, first;
} series;

/* One database's AVERAGE points over (start, end], at the resolution librrd
 * picks for want_step. Retried while a feed holds the lock. */
static int fetch_one(const char *path, int64_t start, int64_t end, int64_t want_step,
                     series *out)
{
    time_t s, e;
    unsigned long st, ds_cnt = 0;
    char **names = NULL;
    rrd_value_t *data = NULL;
    int attempts = 0;
    /* librrd opens by name: a link or a special file is never handed to it
     * (safefs.h); a missing database is librrd's to report. */
    if (pxs_regular_check(path) < 0)
        return -1;
    /* rrdcached may hold values not yet in the file; it is given an absolute
     * path, since it would resolve a relative one against its own directory. */
    if (pxs_rrd_daemon() != NULL) {
        char *abs = pxs_rrd_abs_path(path);
        rrdc_flush_if_daemon(NULL, abs);
        free(abs);
    }
    for (;;) {
        rrd_clear_error();
        s = (time_t)start;
        e = (time_t)end;
        st = (unsigned long)want_step;
        if (rrd_fetch_r(path, "AVERAGE", &s, &e, &st, &ds_cnt, &names, &data) == 0)
            break;
        if (!pxs_rrd_retry_lock(&attempts)) {
            pxs_set_error("%s: cannot fetch: %s", path, rrd_get_error());
            return -1;
        }
    }
    size_t rows = st > 0 ? (size_t)((e - s) / (time_t)st) : 0;
    out->step = (int64_t)st;
    out->n = 0;
    out->first = 0;
    out->v = xmalloc((rows + 1) * sizeof *out->v);
    /* Row i stands for (s + i*step, s + (i+1)*step]: keep those ending in
     * (start, end], as `rrdtool fetch` prints them. */
    for (size_t i = 0; i < rows; i++) {
        int64_t t = (int64_t)s + (int64_t)(i + 1) * (int64_t)st;
        if (t <= start || t > end)
            continue;
        if (out->n == 0)
            out->first = t;
        out->v[out->n++] = ds_cnt > 0 ? data[i * ds_cnt] : NAN;
    }
    for (unsigned long i = 0; i < ds_cnt; i++)
        rrd_freemem(names[i]);
    rrd_freemem(names);
    rrd_freemem(data);
    return 0;
}

int pxs_rrd_fetch_average(const char *path, int64_t start, int64_t end, int64_t want_step,
                          double **v, size_t *n, int64_t *step, int64_t *first)
{
    series s;

    if (fetch_one(path, start, end, want_step, &s) != 0)
        return -1;
    *v = s.v;
    *n = s.n;
    *step = s.step;
    *first = s.first;
    return 0;
}

/* Brings a finer series to the points of ref (whose step is a multiple of
 * its own): each coarse point is the mean of the known fine points it holds,
 * unknown when none is, as rrd graph consolidates. */
static void coarsen(series *s, const series *ref)
{
    size_t m = ref->n ? ref->n : 1;
    double *sum = xcalloc(m, sizeof *sum);
    size_t *cnt = xcalloc(m, sizeof *cnt);
    for (size_t i = 0; i < s->n; i++) {
        /* Point j holds (first + (j-1)*step, first + j*step]. */
        int64_t off = s->first + (int64_t)i * s->step - ref->first;
        if (off <= -ref->step || isnan(s->v[i]))
            continue;
        size_t j = off <= 0 ? 0 : (size_t)((off + ref->step - 1) / ref->step);
        if (j < ref->n) {
            sum[j] += s->v[i];
            cnt[j]++;
        }
    }
    s->v = xrealloc(s->v, m * sizeof *s->v);
    for (size_t j = 0; j < ref->n; j++)
        s->v[j] = cnt[j] > 0 ? sum[j] / (double)cnt[j] : NAN;
    s->n = ref->n;
    s->step = ref->step;
    s->first = ref->first;
    free(sum);
    free(cnt);
}

/* Combines the points of the databases used: sum of the known values (mean
 * for latency); unknown when none is known. */
static double combine(const series *sv, const bool *used, size_t n, size_t i, pxs_dbtype t)
{
    double sum = 0;
    size_t known = 0;
    for (size_t k = 0; k < n; k++)
        if (used[k] && !isnan(sv[k].v[i])) {
            sum += sv[k].v[i];
            known++;
        }
    if (known == 0)
        return NAN;
    return t == PXS_DB_LATENCY ? sum / (double)known : sum;
}

/* Minimum, maximum and mean of the combined, scaled points. */
static void summarise(const series *sv, const bool *used, size_t n, pxs_dbtype t,
                      pxs_span_stats *st)
{
    double sum = 0;
    st->factor = pxs_dbtype_is_count(t) ? (double)st->step / 60.0 : 1.0;
    for (size_t i = 0; i < st->points; i++) {
        double v = combine(sv, used, n, i, t);
        if (isnan(v))
            continue;
        v *= st->factor;
        if (st->known == 0 || v < st->min)
            st->min = v;
        if (st->known == 0 || v > st->max)
            st->max = v;
        sum += v;
        st->known++;
    }
    if (st->known > 0)
        st->mean = sum / (double)st->known;
}

/* Brings every series to the coarsest resolution among them (librrd picks
 * the archive by each database's own last update, so databases fed up to
 * different times may answer at different resolutions). Returns the index of
 * the reference series; a series that cannot be brought to it is marked
 * unused, or is an error (-1) when used is NULL. */
static long align_series(series *sv, const char *const *paths, size_t n, bool *use,
                         bool may_drop)
{
    size_t ref = 0;
    for (size_t k = 1; k < n; k++)
        if (sv[k].step > sv[ref].step)
            ref = k;
    for (size_t k = 0; k < n; k++) {
        use[k] = true;
        if (sv[k].step == sv[ref].step && sv[k].n == sv[ref].n)
            continue;
        if (sv[k].step > 0 && sv[ref].step % sv[k].step == 0) {
            coarsen(&sv[k], &sv[ref]);
            continue;
        }
        pxs_set_error("%s: resolution %" PRId64 " s does not fit %s's (%" PRId64 " s)", paths[k],
                      sv[k].step, paths[ref], sv[ref].step);
        if (!may_drop)
            return -1;
        pxs_warnx("%s: left out", pxs_error());
        use[k] = false;
    }
    return (long)ref;
}

int pxs_rrd_span_stats(const char *const *paths, size_t n, pxs_dbtype t, int64_t start,
                       int64_t end, bool *used, pxs_span_stats *st)
{
    memset(st, 0, sizeof *st);
    st->min = st->max = st->mean = NAN;
    series *sv = xcalloc(n ? n : 1, sizeof *sv);
    bool *use = used != NULL ? used : xcalloc(n ? n : 1, sizeof *use);
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = fetch_one(paths[k], start, end, pxs_rrdgraph_step(end - start), &sv[k]);
    long ref = rc == 0 && n > 0 ? align_series(sv, paths, n, use, used != NULL) : -1;
    if (rc == 0 && n > 0 && ref < 0)
        rc = -1;
    if (rc == 0 && ref >= 0) {
        st->step = sv[ref].step;
        st->points = sv[ref].n;
        summarise(sv, use, n, t, st);
    }
    for (size_t k = 0; k < n; k++)
        free(sv[k].v);
    free(sv);
    if (used == NULL)
        free(use);
    return rc;
}

/* A value in the original's format for its type. */
static char *format_value(pxs_dbtype t, double v)
{
    if (t == PXS_DB_LATENCY)
        return xasprintf("%.2f", v);
    if (t != PXS_DB_BYTECOUNT)
        return xasprintf("%.0f", v);
    if (v < 1000)
        return xasprintf("%.0f Bytes", v);
    if (v < 1e6)
        return xasprintf("%.2f KiloBytes", v / 1e3);
    if (v < 1e9)
        return xasprintf("%.2f MegaBytes", v / 1e6);
    return xasprintf("%.2f GigaBytes", v / 1e9);
}

char *pxs_rrdgraph_comment(pxs_dbtype t, const pxs_span_stats *st)
{
    if (st->known == 0)
        return xstrdup("Minimum: unknown     Maximum: unknown     Mean: unknown");
    char *mn = format_value(t, st->min), *mx = format_value(t, st->max);
    char *c = xasprintf("Minimum: %s     Maximum: %s     Mean: %.2f", mn, mx, st->mean);
    free(mn);
    free(mx);
    return c;
}

char *pxs_rrdgraph_span_text(int hours, bool for_file)
{
    static const struct { int hours; const char *unit; } units[] = {
        {24 * 365, "year"}, {24 * 30, "month"}, {24, "day"}, {1, "hour"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (hours % units[i].hours != 0)
            continue;
        int n = hours / units[i].hours;
        if (for_file)
            return xasprintf("%d%ss", n, units[i].unit);
        return xasprintf("%d %s%s", n, units[i].unit, n == 1 ? "" : "s");
    }
    return xasprintf("%d hours", hours);
}

char *pxs_rrdgraph_path(const char *statsdir, pxs_filetype ft, const char *client,
                        int64_t end, pxs_dbtype t, int hours, const char *machine)
{
    char day[16], hms[16];
    pxs_strftime(end, "%Y%m%d", day, sizeof day);
    pxs_strftime(end, "%H:%M:%S", hms, sizeof hms);
    char *span = pxs_rrdgraph_span_text(hours, true);
    char *file = xasprintf("%s_%s_%s_%s_%s_%s_on_%s.png", pxs_filetype_name(ft), client, day, hms,
                           pxs_dbtype_name(t), span, machine);
    char *p = pxs_rrdgraph_file(statsdir, ft, client, file);
    free(file);
    free(span);
    return p;
}

/* The period of the web tree a span of hours belongs to. */
static pxs_period web_period(int hours)
{
    if (hours >= 24 * 365)
        return PXS_YEARLY;
    return hours >= 24 * 28 ? PXS_MONTHLY : PXS_WEEKLY;
}

char *pxs_rrdgraph_web_path(const char *statsdir, pxs_filetype ft, pxs_dbtype t,
                            const char *client, int64_t end, int hours)
{
    pxs_period p = web_period(hours);
    char label[32];
    /* The span's last second names the period: a drawing that ends at the
     * boundary is the finished period's, not the next one's. */
    pxs_period_label(p, end - 1, label, sizeof label);
    char *rel = pxs_webimage_rel(pxs_period_name(p), ft, pxs_dbtype_name(t), client, label);
    char *path = pxs_stats_file(statsdir, rel);
    free(rel);
    return path;
}

int pxs_rrdgraph_calendar(int hours, int64_t date, int64_t *end)
{
    int64_t start;
    pxs_period_bounds(web_period(hours), date - 1, &start, end);
    return (int)((*end - start) / PXS_HOUR);
}

char *pxs_rrd_graph_text(const char *s, bool field)
{
    char *r = xmalloc(2 * strlen(s) + 1), *q = r;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) {
            *q++ = '?';
            continue;
        }
        if (field && *p == ':')
            *q++ = '\\';
        *q++ = (char)*p;
    }
    *q = '\0';
    return r;
}

/* The colours of the original: AREA inside, LINE1 outline. */
static void colours(pxs_dbtype t, const char **inner, const char **outer)
{
    if (t == PXS_DB_LATENCY || t == PXS_DB_FILESOVER) {
        *inner = "cd5c5c";
        *outer = "8b0000";
    } else if (t == PXS_DB_ERRORS) {
        *inner = "54DE4F";
        *outer = "1C4A1A";
    } else {
        *inner = "019EFF";
        *outer = "4D9AA9";
    }
}

/* The DEFs and the CDEF "realValue": one database as is, several combined as
 * pxs_rrd_span_stats does (ADDNAN keeps unknown+known = known; AVG skips
 * unknowns), then scaled by the factor. */
static void add_data_args(pxs_strlist *a, char *const *paths, size_t n, pxs_dbtype t,
                          double factor)
{
    const char *ds = pxs_dbtype_name(t);
    char *rpn = NULL;
    for (size_t k = 0; k < n; k++) {
        char *p = pxs_rrd_graph_text(paths[k], true);
        char *def = xasprintf("DEF:v%zu=%s:%s:AVERAGE", k, p, ds);
        pxs_strlist_add(a, def);
        free(def);
        free(p);
        char *next;
        if (k == 0)
            next = xasprintf("v0");
        else if (t == PXS_DB_LATENCY)
            next = xasprintf("%s,v%zu", rpn, k);
        else
            next = xasprintf("%s,v%zu,ADDNAN", rpn, k);
        free(rpn);
        rpn = next;
    }
    char *cdef = t == PXS_DB_LATENCY && n > 1
                     ? xasprintf("CDEF:realValue=%s,%zu,AVG,%.17g,*", rpn, n, factor)
                     : xasprintf("CDEF:realValue=%s,%.17g,*", rpn, factor);
    pxs_strlist_add(a, cdef);
    free(cdef);
    free(rpn);
}

static char *title_of(pxs_dbtype t, const char *label, int hours, int64_t end)
{
    char type[32], iso[PXS_ISO_SIZE];
    snprintf(type, sizeof type, "%s", pxs_dbtype_name(t));
    type[0] = (char)toupper((unsigned char)type[0]);
    char *span = pxs_rrdgraph_span_text(hours, false);
    char *title = xasprintf("%s for %s for a span of %s ending at %s.", type, label, span,
                            pxs_format_iso(end, iso));
    free(span);
    return title;
}

/* Renders the arguments to a PNG in memory; retried while a feed holds a lock. */
static int render(pxs_strlist *a, const char *image, unsigned char **png, size_t *len)
{
    char **argv = xcalloc(a->n + 1, sizeof *argv);
    memcpy(argv, a->v, a->n * sizeof *argv);
    rrd_info_t *info = NULL;
    int attempts = 0;
    for (;;) {
        rrd_clear_error();
        info = rrd_graph_v((int)a->n, argv);
        if (info != NULL || !pxs_rrd_retry_lock(&attempts))
            break;
    }
    free(argv);
    if (info == NULL) {
        pxs_set_error("%s: cannot draw: %s", image, rrd_get_error());
        return -1;
    }
    *png = NULL;
    for (rrd_info_t *p = info; p != NULL; p = p->next)
        if (p->type == RD_I_BLO && strcmp(p->key, "image") == 0) {
            *len = p->value.u_blo.size;
            *png = xmalloc(*len);
            memcpy(*png, p->value.u_blo.ptr, *len);
        }
    rrd_info_free(info);
    if (*png == NULL) {
        pxs_set_error("%s: librrd returned no image", image);
        return -1;
    }
    return 0;
}

/* The arguments of rrd graph for one image, its statistics known. */
static void graph_args(pxs_strlist *a, const pxs_rrdgraph_opts *o, char *const *paths, size_t n,
                       const char *label, pxs_dbtype t, const pxs_span_stats *st,
                       const char *comment)
{
    int64_t start = o->end - (int64_t)o->hours * PXS_HOUR;
    char *raw_title = title_of(t, label, o->hours, o->end);
    char *title = pxs_rrd_graph_text(raw_title, false);
    char *ccomment = pxs_rrd_graph_text(comment, true);
    /* "legend=": a text of the form "key=value" is not read as an option of
     * COMMENT; "\c" centres it. */
    char *comment_arg = xasprintf("COMMENT:legend=%s\\c", ccomment);
    char *s = xasprintf("%" PRId64, start), *e = xasprintf("%" PRId64, o->end);
    char *step = xasprintf("%" PRId64, st->step);
    /* --full-size-mode: the whole PNG is 800x200, legend and title included. */
    const char *fixed[] = {"graph", "-", "--imgformat", "PNG", "--width", GRAPH_WIDTH,
                           "--height", GRAPH_HEIGHT, "--full-size-mode", "--start", s, "--end", e,
                           "--step", step, "--vertical-label", pxs_dbtype_name(t),
                           "--title", title, comment_arg, "--lower-limit", "0"};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        pxs_strlist_add(a, fixed[i]);
    add_data_args(a, paths, n, t, st->factor);
    const char *inner, *outer;
    colours(t, &inner, &outer);
    char *legend = pxs_rrd_graph_text(pxs_dbtype_name(t), true);
    char *area = xasprintf("AREA:realValue#%s:legend=%s", inner, legend);
    free(legend);
    char *line = xasprintf("LINE1:realValue#%s", outer);
    pxs_strlist_add(a, area);
    pxs_strlist_add(a, line);
    free(area);
    free(line);
    free(s);
    free(e);
    free(step);
    free(raw_title);
    free(title);
    free(ccomment);
    free(comment_arg);
}

/* Writes the image, and its copy in the web tree when asked, both stamped
 * with the span they cover (pngspan.h: the pages check it). */
static int publish(const pxs_rrdgraph_opts *o, const char *image, const char *label,
                   pxs_dbtype t, const unsigned char *png, size_t len)
{
    int64_t start = o->end - (int64_t)o->hours * PXS_HOUR;
    if (pxs_png_write_span(image, png, len, start, o->end) != 0)
        return -1;
    if (!o->copy)
        return 0;
    char *web = pxs_rrdgraph_web_path(o->statsdir, o->ft, t, label, o->end, o->hours);
    int rc = pxs_png_write_span(web, png, len, start, o->end);
    free(web);
    return rc;
}

int pxs_rrdgraph_draw(const pxs_rrdgraph_opts *o, const char *const *clients, size_t n,
                      const char *label, pxs_dbtype t)
{
    int64_t start = o->end - (int64_t)o->hours * PXS_HOUR;
    char **paths = xcalloc(n ? n : 1, sizeof *paths);
    for (size_t k = 0; k < n; k++)
        paths[k] = pxs_rrd_path(o->statsdir, o->ft, t, clients[k], o->machine);
    /* A name with no archive of this file type (an rx graph asked for a tx
     * client) is an error of its own, not a fetch failure. */
    for (size_t k = 0; k < n; k++)
        if (access(paths[k], F_OK) != 0) {
            pxs_set_error("no %s archive of %s for %s: %s does not exist",
                          pxs_filetype_name(o->ft), clients[k], o->machine, paths[k]);
            for (size_t j = 0; j < n; j++)
                free(paths[j]);
            free(paths);
            return -1;
        }
    char *image = pxs_rrdgraph_path(o->statsdir, o->ft, label, o->end, t, o->hours, o->machine);
    pxs_span_stats st;
    /* Totals leave out a database answering at another resolution; a single
     * client's graph has nothing to leave out. */
    bool *used = n > 1 ? xcalloc(n, sizeof *used) : NULL;
    int rc = pxs_rrd_span_stats((const char *const *)paths, n, t, start, o->end, used, &st);
    size_t nused = 0;
    for (size_t k = 0; k < n; k++)
        if (used == NULL || used[k])
            paths[nused++] = paths[k];
        else
            free(paths[k]);
    if (rc == 0) {
        char *comment = pxs_rrdgraph_comment(t, &st);
        pxs_strlist a;
        pxs_strlist_init(&a);
        graph_args(&a, o, paths, nused, label, t, &st, comment);
        unsigned char *png = NULL;
        size_t len = 0;
        rc = render(&a, image, &png, &len);
        if (rc == 0)
            rc = publish(o, image, label, t, png, len);
        if (rc == 0 && o->verbose)
            printf("%s: %s\n", image, comment);
        free(png);
        free(comment);
        pxs_strlist_free(&a);
    }
    for (size_t k = 0; k < nused; k++)
        free(paths[k]);
    free(paths);
    free(used);
    free(image);
    return rc;
}

typedef struct graph_job {
    const pxs_rrdgraph_opts *o;
    pxs_dbtype types[PXS_DB_NTYPES];
    size_t ntypes;
    int failures;
    size_t done, total;
} graph_job;

/* Job i: client i / ntypes (or the totals), type i % ntypes. */
static int graph_one(size_t i, void *arg, char *msg, size_t msgsize)
{
    graph_job *g = arg;
    const pxs_rrdgraph_opts *o = g->o;
    pxs_dbtype t = g->types[i % g->ntypes];
    int rc;
    (void)msg;
    (void)msgsize;
    if (o->totals)
        rc = pxs_rrdgraph_draw(o, (const char *const *)o->clients->v, o->clients->n,
                               pxs_filetype_name(o->ft), t);
    else
        rc = pxs_rrdgraph_draw(o, (const char *const *)&o->clients->v[i / g->ntypes], 1,
                               o->clients->v[i / g->ntypes], t);
    if (rc != 0)
        pxs_warnx("%s", pxs_error());
    fflush(stdout);
    return rc == 0 ? 0 : 1;
}

static void graph_done(size_t i, int status, const char *msg, void *arg)
{
    graph_job *g = arg;
    (void)i;
    (void)msg;
    if (status != 0)
        g->failures++;
    pxs_jobs_progress("graphs", ++g->done, g->total, g->o->progress);
}

int pxs_rrdgraph_run(const pxs_rrdgraph_opts *o)
{
    /* Axis labels are drawn in local time by librrd: make local time UTC. */
    setenv("TZ", "UTC", 1);
    tzset();
    graph_job g = {.o = o};
    pxs_dbtype all[PXS_DB_NTYPES];
    int na = pxs_dbtypes_of(o->ft, all);
    for (int k = 0; k < na; k++)
        if (o->types & (1u << all[k]))
            g.types[g.ntypes++] = all[k];
    if (g.ntypes == 0 || o->clients->n == 0) {
        pxs_set_error("nothing to draw: no %s", g.ntypes == 0 ? "data type" : "client");
        return -1;
    }
    size_t njobs = o->totals ? g.ntypes : o->clients->n * g.ntypes;
    g.total = njobs;
    if (pxs_jobs_run(njobs, o->jobs > 1 ? o->jobs : 0, graph_one, graph_done, &g) != 0)
        return -1;
    return g.failures > 0 ? 1 : 0;
}
