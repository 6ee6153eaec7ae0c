/* monitor_web — check 7: the web pages and the daily images are fresh.
 *
 * Every page <stats>/webPages/NAME.html, and the newest image of every
 * <stats>/webGraphics/daily/<ft>/<client>/, must have been written within
 * [monitoring] maxPageAge minutes (default 60): webPages and the image copy
 * run every hour. Old images are grouped by time (a stopped job is one line). */
#include "pxstats/monitor.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* The newest mtime of the files of dir ending in suffix; -1 when none. */
static int64_t newest(const char *dir, const char *suffix)
{
    pxs_dirlist d;
    int64_t best = -1;
    if (pxs_dir_read(dir, &d) != 0)
        return -1;
    for (size_t i = 0; i < d.n; i++) {
        const char *name = d.e[i].name;
        if (name[0] == '.' || !S_ISREG(d.e[i].type) || !has_suffix(name, suffix))
            continue;
        char *p = xasprintf("%s/%s", dir, name);
        struct stat st;
        if (pxs_path_stat(p, &st) == 0 && S_ISREG(st.st_mode) && (int64_t)st.st_mtime > best)
            best = st.st_mtime;
        free(p);
    }
    pxs_dir_free(&d);
    return best;
}

static void check_pages(pxs_monitor *m, int64_t max_age)
{
    char *dir = xasprintf("%s/webPages", m->cfg->statsdir);
    pxs_dirlist d;
    if (pxs_dir_read(dir, &d) != 0) {
        pxs_mon_add(m, PXS_MON_WEB, "no pages", "Cannot read the web pages: %s", pxs_error());
        free(dir);
        return;
    }
    size_t count = 0;
    for (size_t i = 0; i < d.n; i++) {
        const char *name = d.e[i].name;
        if (name[0] == '.' || !has_suffix(name, ".html"))
            continue;
        char *p = xasprintf("%s/%s", dir, name);
        struct stat st;
        count++;
        if (pxs_path_stat(p, &st) == 0 && m->now - (int64_t)st.st_mtime > max_age) {
            char iso[PXS_ISO_SIZE];
            pxs_format_iso(st.st_mtime, iso);
            char *key = xasprintf("old page %s %s", p, iso);
            pxs_mon_add(m, PXS_MON_WEB, key, "%s was last modified at %s (%lld minutes ago).", p,
                        iso, (long long)((m->now - st.st_mtime) / 60));
            free(key);
        }
        free(p);
    }
    pxs_dir_free(&d);
    if (count == 0)
        pxs_mon_add(m, PXS_MON_WEB, "no pages", "No web page (*.html) in %s.", dir);
    free(dir);
}

static void check_images(pxs_monitor *m, int64_t max_age)
{
    pxs_mon_timed *old = NULL;
    size_t nold = 0, cap = 0, count = 0;
    char *top = pxs_webgraphics_dir(m->cfg->statsdir, "daily");
    for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
        char *sub = xasprintf("daily/%s", pxs_filetype_name(ft));
        char *dir = pxs_webgraphics_dir(m->cfg->statsdir, sub);
        pxs_dirlist d;
        if (pxs_dir_read(dir, &d) != 0)
            pxs_mon_add(m, PXS_MON_WEB, dir, "%s", pxs_error());
        for (size_t i = 0; i < d.n; i++) {
            const char *name = d.e[i].name;
            if (name[0] == '.' || !S_ISDIR(d.e[i].type))
                continue;
            char *cdir = xasprintf("%s/%s", dir, name);
            int64_t t = newest(cdir, ".png");
            free(cdir);
            if (t < 0)
                continue;
            count++;
            if (m->now - t > max_age) {
                xgrow((void **)&old, &cap, nold + 1, sizeof *old);
                old[nold++] = (pxs_mon_timed){xasprintf("%s/%s", pxs_filetype_name(ft), name), t};
            }
        }
        pxs_dir_free(&d);
        free(dir);
        free(sub);
    }
    if (count == 0)
        pxs_mon_add(m, PXS_MON_WEB, "no images", "No daily image in %s.", top);
    pxs_mon_add_grouped(m, PXS_MON_WEB, "old images", "daily image folders", old, nold);
    for (size_t i = 0; i < nold; i++)
        free(old[i].name);
    free(old);
    free(top);
}

void pxs_mon_check_web(pxs_monitor *m)
{
    long minutes = 60;
    pxs_conf_get_int(m->cfg, "monitoring", "maxPageAge", 60, 1, 525600, &minutes);
    check_pages(m, (int64_t)minutes * 60);
    check_images(m, (int64_t)minutes * 60);
}
