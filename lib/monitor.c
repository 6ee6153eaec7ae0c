/* monitor — a run of the checks: state in, findings, state out. */
#include "pxstats/monitor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

static const struct {
    const char *title, *ok_line;
} section_text[PXS_MON_NSECTIONS] = {
    {"Disk usage", "No disk usage warnings."},
    {"Missing snapshots", "No missing snapshot warnings."},
    {"Gaps in the data", "No data gap warnings."},
    {"RRD archive", "No RRD archive warnings."},
    {"Program and config checksums", "No checksum warnings."},
    {"Crontab", "No crontab warnings."},
    {"Web pages and daily images", "No web page warnings."},
};

char *pxs_mon_state_file(const pxs_monitor *m, const char *name)
{
    return xasprintf("%s/%s", m->statedir, name);
}

/* previousMonitoringJob: one ISO time. */
static int load_prev_run(pxs_monitor *m)
{
    char *path = pxs_mon_state_file(m, "previousMonitoringJob");
    size_t len;
    char *text = pxs_read_file(path, &len);
    if (text == NULL) {
        int missing = errno == ENOENT;
        free(path);
        return missing ? 0 : -1;
    }
    text[strcspn(text, "\r\n")] = '\0';
    if (!pxs_parse_iso(text, strlen(text), &m->prev_run)) {
        pxs_set_error("%s: '%s' is not a YYYY-MM-DD HH:MM:SS time", path, text);
        free(text);
        free(path);
        return -1;
    }
    m->have_prev = true;
    free(text);
    free(path);
    return 0;
}

static int reported_line(char **fields, int n, void *arg)
{
    pxs_monitor *m = arg;
    if (n != 1) {
        pxs_set_error("expected one %%-escaped problem key");
        return -1;
    }
    pxs_state_unescape(fields[0]);
    pxs_strlist_add(&m->prev_reported, fields[0]);
    return 0;
}

/* lastDataTimes: "<ft> <client> <group> YYYY-MM-DD HH:MM:SS", kept in memory
 * as "<ft> <client> <group> <epoch>" for lookups by prefix. */
static int last_data_line(char **fields, int n, void *arg)
{
    pxs_monitor *m = arg;
    int64_t t;
    char iso[PXS_ISO_SIZE + 1];
    if (n != 5 || snprintf(iso, sizeof iso, "%s %s", fields[3], fields[4]) != PXS_ISO_LEN ||
        !pxs_parse_iso(iso, PXS_ISO_LEN, &t)) {
        pxs_set_error("expected '<ft> <client> <group> YYYY-MM-DD HH:MM:SS'");
        return -1;
    }
    char *line = xasprintf("%s %s %s %lld", fields[0], fields[1], fields[2], (long long)t);
    pxs_strlist_add(&m->prev_last_data, line);
    free(line);
    return 0;
}

static int load_state(pxs_monitor *m)
{
    if (load_prev_run(m) < 0)
        return -1;
    char *path = pxs_mon_state_file(m, "reportedProblems");
    int rc = pxs_state_read_lines(path, reported_line, m);
    free(path);
    if (rc < 0)
        return -1;
    path = pxs_mon_state_file(m, "lastDataTimes");
    rc = pxs_state_read_lines(path, last_data_line, m);
    free(path);
    return rc;
}

/* Every number of the config is checked once here, so that the checks can
 * take a wrong value for its default without a second message. */
static int validate_config(const pxs_config *cfg)
{
    static const struct {
        const char *key;
        long def, min, max;
    } ints[] = {
        {"maxGap", 60, 1, 525600}, {"days", 7, 1, 366}, {"maxDatabaseAge", 120, 1, 525600},
        {"maxPageAge", 60, 1, 525600},
    };
    long v;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (pxs_conf_get_int(cfg, "monitoring", ints[i].key, ints[i].def, ints[i].min,
                             ints[i].max, &v) < 0)
            return -1;
    for (int i = 0; i < cfg->n; i++) {
        if (strcasecmp(cfg->e[i].section, "monitoring.gaps") != 0)
            continue;
        if (pxs_name_check("client", cfg->e[i].key) < 0 ||
            pxs_conf_get_int(cfg, "monitoring.gaps", cfg->e[i].key, 60, 1, 525600, &v) < 0)
            return -1;
    }
    return 0;
}

int pxs_monitor_init(pxs_monitor *m, const pxs_config *cfg, int64_t now, const int64_t *since,
                     bool full)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->now = now;
    m->full = full;
    m->statedir = xasprintf("%s/statsMonitoring", cfg->statsdir);
    pxs_strlist_init(&m->prev_reported);
    pxs_strlist_init(&m->prev_last_data);
    pxs_strlist_init(&m->new_last_data);
    for (int s = 0; s < PXS_MON_NSECTIONS; s++) {
        m->sec[s].title = section_text[s].title;
        m->sec[s].ok_line = section_text[s].ok_line;
        pxs_strlist_init(&m->sec[s].notes);
    }
    if (validate_config(cfg) < 0 || load_state(m) < 0)
        return -1;
    pxs_strlist groups;
    pxs_strlist_init(&groups);
    int grc = pxs_groups_parse(pxs_mon_groups_text(m), &groups);
    pxs_strlist_free(&groups);
    if (grc < 0) {
        char *why = xstrdup(pxs_error());
        pxs_set_error("%s: %s", pxs_conf_get(cfg, "monitoring", "machines", NULL) != NULL
                                    ? "[monitoring] machines" : "[graphics] logFilesMachines", why);
        free(why);
        return -2;
    }
    if (since != NULL) {
        m->since = *since;
        m->since_given = true;
    } else {
        /* A first run looks at today only, as the original did. */
        m->since = m->have_prev ? m->prev_run : pxs_day_floor(now);
    }
    return 0;
}

void pxs_monitor_free(pxs_monitor *m)
{
    for (int s = 0; s < PXS_MON_NSECTIONS; s++) {
        for (size_t i = 0; i < m->sec[s].n; i++) {
            free(m->sec[s].f[i].key);
            free(m->sec[s].f[i].text);
        }
        free(m->sec[s].f);
        pxs_strlist_free(&m->sec[s].notes);
    }
    for (size_t i = 0; i < m->ngroups; i++) {
        pxs_strlist_free(&m->groups[i].machines);
        free(m->groups[i].merged);
    }
    free(m->groups);
    for (size_t i = 0; i < m->ntargets; i++) {
        free(m->targets[i].client);
        free(m->targets[i].first_of);
    }
    free(m->targets);
    pxs_strlist_free(&m->prev_reported);
    pxs_strlist_free(&m->prev_last_data);
    pxs_strlist_free(&m->new_last_data);
    free(m->checksums);
    free(m->crontab);
    free(m->statedir);
    memset(m, 0, sizeof *m);
}

void pxs_mon_add(pxs_monitor *m, int s, const char *key, const char *fmt, ...)
{
    pxs_mon_section *sec = &m->sec[s];
    xgrow((void **)&sec->f, &sec->cap, sec->n + 1, sizeof *sec->f);
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        text = xstrdup(fmt);
    va_end(ap);
    sec->f[sec->n].key = xasprintf("%d %s", s, key);
    sec->f[sec->n].text = text;
    sec->f[sec->n].old = false;
    sec->n++;
}

void pxs_mon_note(pxs_monitor *m, int s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        text = xstrdup(fmt);
    va_end(ap);
    pxs_strlist_add(&m->sec[s].notes, text);
    free(text);
}

void pxs_mon_mark_old(pxs_monitor *m)
{
    for (int s = 0; s < PXS_MON_NSECTIONS; s++)
        for (size_t i = 0; i < m->sec[s].n; i++)
            m->sec[s].f[i].old = pxs_strlist_has(&m->prev_reported, m->sec[s].f[i].key);
}

size_t pxs_mon_count(const pxs_monitor *m)
{
    size_t n = 0;
    for (int s = 0; s < PXS_MON_NSECTIONS; s++)
        n += m->sec[s].n;
    return n;
}

static int cmp_timed(const void *a, const void *b)
{
    const pxs_mon_timed *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Names shown per line; the rest are counted. */
#define GROUP_SHOWN 10

void pxs_mon_add_grouped(pxs_monitor *m, int s, const char *keyprefix, const char *what,
                         pxs_mon_timed *items, size_t n)
{
    if (n > 0)      /* qsort wants a valid pointer even for no item */
        qsort(items, n, sizeof *items, cmp_timed);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && items[j].time == items[i].time)
            j++;
        pxs_strlist names;
        pxs_strlist_init(&names);
        for (size_t k = i; k < j && k < i + GROUP_SHOWN; k++)
            pxs_strlist_add(&names, items[k].name);
        char *list = pxs_strlist_join(&names, ", ");
        char iso[PXS_ISO_SIZE], more[64] = "";
        if (j - i > GROUP_SHOWN)
            snprintf(more, sizeof more, " and %zu more", j - i - GROUP_SHOWN);
        pxs_format_iso(items[i].time, iso);
        char *key = xasprintf("%s %s", keyprefix, iso);
        pxs_mon_add(m, s, key, "%zu %s last updated at %s (%lld minutes ago): %s%s", j - i,
                    what, iso, (long long)((m->now - items[i].time) / 60), list, more);
        free(key);
        free(list);
        pxs_strlist_free(&names);
        i = j;
    }
}

int64_t pxs_mon_max_gap(const pxs_monitor *m, const char *client)
{
    long minutes = 60;
    if (pxs_conf_get_int(m->cfg, "monitoring", "maxGap", 60, 1, 525600, &minutes) < 0)
        minutes = 60;   /* pxs_monitor_init's validation reported it already */
    long own;
    if (pxs_conf_get(m->cfg, "monitoring.gaps", client, NULL) != NULL &&
        pxs_conf_get_int(m->cfg, "monitoring.gaps", client, minutes, 1, 525600, &own) == 0)
        minutes = own;
    return (int64_t)minutes * 60;
}

void pxs_monitor_run(pxs_monitor *m)
{
    pxs_mon_check_disk(m);
    if (pxs_mon_inventory(m) < 0) {
        pxs_mon_add(m, PXS_MON_PICKLES, "inventory", "%s", pxs_error());
    } else {
        pxs_mon_check_pickles(m);
        pxs_mon_check_gaps(m);
    }
    pxs_mon_check_rrd(m);
    pxs_mon_check_checksums(m);
    pxs_mon_check_crontab(m);
    pxs_mon_check_web(m);
    pxs_mon_mark_old(m);
}

/* reportedProblems: every key of this run, so that the next run can tell. */
static int fill_reported(FILE *fp, void *arg)
{
    const pxs_monitor *m = arg;
    fputs("# problems reported by the last statsMonitor run (%-escaped keys)\n", fp);
    for (int s = 0; s < PXS_MON_NSECTIONS; s++)
        for (size_t i = 0; i < m->sec[s].n; i++) {
            char *k = pxs_state_escape(m->sec[s].f[i].key);
            fprintf(fp, "%s\n", k);
            free(k);
        }
    return 0;
}

static int fill_last_data(FILE *fp, void *arg)
{
    const pxs_monitor *m = arg;
    fputs("# <ft> <client> <group> <end of the last minute with traffic>\n", fp);
    for (size_t i = 0; i < m->new_last_data.n; i++) {
        char ft[8], client[PXS_NAME_MAX + 1], group[4 * PXS_NAME_MAX + 1], iso[PXS_ISO_SIZE];
        long long t;
        if (sscanf(m->new_last_data.v[i], "%7s %128s %512s %lld", ft, client, group, &t) == 4)
            fprintf(fp, "%s %s %s %s\n", ft, client, group, pxs_format_iso(t, iso));
    }
    return 0;
}

static int fill_string(FILE *fp, void *arg)
{
    fputs(arg, fp);
    return 0;
}

/* Every state file of the monitor: built in memory, then written whole. */
static int save_state(const pxs_monitor *m, const char *name, pxs_atomic_fill_fn fill,
                      const void *arg)
{
    char *path = pxs_mon_state_file(m, name);
    int rc = pxs_atomic_write_text(path, fill, (void *)arg);
    free(path);
    return rc;
}

int pxs_monitor_save(const pxs_monitor *m)
{
    char iso[PXS_ISO_SIZE + 1];
    pxs_format_iso(m->now, iso);
    strcat(iso, "\n");
    if (pxs_mkdirs(m->statedir) < 0 || save_state(m, "reportedProblems", fill_reported, m) < 0 ||
        save_state(m, "lastDataTimes", fill_last_data, m) < 0)
        return -1;
    if (m->checksums != NULL &&
        save_state(m, "previousFileChecksums", fill_string, m->checksums) < 0)
        return -1;
    if (m->crontab != NULL && save_state(m, "previousCrontab", fill_string, m->crontab) < 0)
        return -1;
    /* Last: a run whose other state failed to save is not recorded as done. */
    return save_state(m, "previousMonitoringJob", fill_string, iso);
}
