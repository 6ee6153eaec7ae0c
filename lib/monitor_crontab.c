/* monitor_crontab — check 6: the crontab did not change since the previous run.
 *
 * The crontab is the file [monitoring] crontabFile when set, else the output
 * of "crontab -l" (a user without a crontab has an empty one). It is compared
 * with previousCrontab line by line; the lines that appeared and disappeared
 * are shown. The first run only records it. */
#include "pxstats/monitor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pxstats/atomicfile.h"
#include "pxstats/msg.h"
#include "pxstats/spawn.h"
#include "pxstats/xalloc.h"

/* The crontab now, or NULL (pxs_error set) when it cannot be read. */
static char *read_crontab(const pxs_monitor *m)
{
    const char *file = pxs_conf_get(m->cfg, "monitoring", "crontabFile", NULL);
    size_t len;
    if (file != NULL)
        return pxs_read_file(file, &len);
    char *argv[] = {"crontab", "-l", NULL};
    char *out = NULL, *err = NULL;
    size_t olen = 0, elen = 0;
    pxs_spawn_opts o = {.stdout_buf = &out, .stdout_len = &olen, .stderr_buf = &err,
                        .stderr_len = &elen, .timeout = 60};
    int st = pxs_spawn(argv, &o);
    if (st < 0) {
        free(out);
        free(err);
        return NULL;
    }
    /* crontab -l fails with "no crontab for <user>" when there is none. */
    if (st != 0 && (err == NULL || strstr(err, "no crontab") == NULL)) {
        pxs_set_error("crontab -l exited with status %d: %.*s", st,
                      err ? (int)strcspn(err, "\n") : 0, err ? err : "");
        free(out);
        free(err);
        return NULL;
    }
    free(err);
    if (st != 0) {
        free(out);
        return xstrdup("");
    }
    return out != NULL ? out : xstrdup("");
}

/* Adds to out the lines of a that are not lines of b. */
static void lines_missing(const char *a, const char *b, pxs_strlist *out)
{
    pxs_strlist la, lb;
    pxs_strlist_init(&la);
    pxs_strlist_init(&lb);
    pxs_strlist_split(&la, a, '\n');
    pxs_strlist_split(&lb, b, '\n');
    for (size_t i = 0; i < la.n; i++)
        if (!pxs_strlist_has(&lb, la.v[i]))
            pxs_strlist_add(out, la.v[i]);
    pxs_strlist_free(&la);
    pxs_strlist_free(&lb);
}

static void report_change(pxs_monitor *m, const char *prev, const char *now)
{
    pxs_strlist added, removed;
    pxs_strlist_init(&added);
    pxs_strlist_init(&removed);
    lines_missing(now, prev, &added);
    lines_missing(prev, now, &removed);
    /* Keyed by the new content: reported once, then it is the known crontab. */
    unsigned long crc = crc32(crc32(0L, Z_NULL, 0), (const unsigned char *)now, (uInt)strlen(now));
    char *key = xasprintf("changed %08lx", crc);
    pxs_mon_add(m, PXS_MON_CRONTAB, key,
                "Crontab entries were modified since last monitoring job "
                "(%zu line%s added, %zu removed).", added.n, added.n == 1 ? "" : "s", removed.n);
    free(key);
    for (size_t i = 0; i < added.n; i++)
        pxs_mon_note(m, PXS_MON_CRONTAB, "added:   %s", added.v[i]);
    for (size_t i = 0; i < removed.n; i++)
        pxs_mon_note(m, PXS_MON_CRONTAB, "removed: %s", removed.v[i]);
    pxs_strlist_free(&added);
    pxs_strlist_free(&removed);
}

void pxs_mon_check_crontab(pxs_monitor *m)
{
    m->crontab = read_crontab(m);
    if (m->crontab == NULL) {
        pxs_mon_add(m, PXS_MON_CRONTAB, "unreadable", "Cannot read the crontab: %s", pxs_error());
        return;
    }
    char *path = pxs_mon_state_file(m, "previousCrontab");
    size_t len;
    char *prev = pxs_read_file(path, &len);
    if (prev == NULL && errno == ENOENT)
        pxs_mon_note(m, PXS_MON_CRONTAB, "first run: crontab recorded");
    else if (prev == NULL)
        pxs_mon_add(m, PXS_MON_CRONTAB, "state", "%s", pxs_error());
    else if (strcmp(prev, m->crontab) != 0)
        report_change(m, prev, m->crontab);
    else
        pxs_mon_note(m, PXS_MON_CRONTAB, "Crontab entries were not modified since last monitoring job.");
    free(prev);
    free(path);
}
