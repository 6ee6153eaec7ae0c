/* monitor_disk — check 1: disk usage of each configured folder.
 *
 * The original compared df's "Use%" text with an integer and so never fired;
 * here the percentage is computed from statvfs(2) as df does: used blocks over
 * the blocks a user may have (used + available to non-root), rounded up. */
#include "pxstats/monitor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "pxstats/msg.h"
#include "pxstats/xalloc.h"

#define DEFAULT_MAX_USAGE 90

/* Percentage of the file system of path in use, as df shows it; -1 on error. */
static int usage_percent(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) < 0)
        return -1;
    unsigned long long used = (unsigned long long)(st.f_blocks - st.f_bfree);
    unsigned long long total = used + (unsigned long long)st.f_bavail;
    if (total == 0)
        return 0;
    return (int)((used * 100 + total - 1) / total);
}

/* The limit of folder i: its own maxUsages item, else the last one given. */
static int limit_of(const pxs_strlist *limits, size_t i, int *limit)
{
    if (limits->n == 0) {
        *limit = DEFAULT_MAX_USAGE;
        return 0;
    }
    const char *s = limits->v[i < limits->n ? i : limits->n - 1];
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || v < 0 || v > 100)
        return -1;
    *limit = (int)v;
    return 0;
}

void pxs_mon_check_disk(pxs_monitor *m)
{
    pxs_strlist folders, limits;
    pxs_strlist_init(&folders);
    pxs_strlist_init(&limits);
    pxs_strlist_split(&folders, pxs_conf_get(m->cfg, "monitoring", "folders", ""), ';');
    pxs_strlist_split(&limits, pxs_conf_get(m->cfg, "monitoring", "maxUsages", ""), ';');
    if (folders.n == 0)
        pxs_strlist_add(&folders, m->cfg->statsdir);
    for (size_t i = 0; i < folders.n; i++) {
        const char *f = folders.v[i];
        int limit, use;
        if (limit_of(&limits, i, &limit) < 0) {
            pxs_mon_add(m, PXS_MON_DISK, f, "[monitoring] maxUsages: '%s' is not a percentage",
                        limits.v[i < limits.n ? i : limits.n - 1]);
        } else if ((use = usage_percent(f)) < 0) {
            char *key = xasprintf("unreadable %s", f);
            pxs_mon_add(m, PXS_MON_DISK, key, "Cannot check the disk usage of %s: %s", f,
                        strerror(errno));
            free(key);
        } else if (use > limit) {
            char *key = xasprintf("over %s %d", f, limit);
            pxs_mon_add(m, PXS_MON_DISK, key,
                        "Disk usage for %s is %d %% (limit %d %%). Please investigate the cause.",
                        f, use, limit);
            free(key);
        } else {
            pxs_mon_note(m, PXS_MON_DISK, "%s: %d %% used (limit %d %%)", f, use, limit);
        }
    }
    pxs_strlist_free(&folders);
    pxs_strlist_free(&limits);
}
