/* pickletree — listings of the snapshot tree (contract in pickletree.h). */
#include "pxstats/pickletree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

int pxs_pickle_name_hour(const char *name, size_t *mlen)
{
    size_t n = strlen(name);

    if (n < 4 || name[n - 3] != '_' || name[n - 2] < '0' || name[n - 2] > '2' ||
        name[n - 1] < '0' || name[n - 1] > '9')
        return -1;
    int hour = (name[n - 2] - '0') * 10 + (name[n - 1] - '0');
    if (hour > 23)
        return -1;
    *mlen = n - 3;
    return hour;
}

/* A directory, not a link to one (safefs.h: nothing in the tree is followed). */
static bool is_dir(const char *path)
{
    struct stat st;

    return pxs_path_stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The day of a folder name YYYYMMDD, or -1. */
static int64_t day_of(const char *name)
{
    char compact[16];
    int64_t t;

    if (strlen(name) != 8 || strspn(name, "0123456789") != 8)
        return -1;
    snprintf(compact, sizeof compact, "%.8s000000", name);
    return pxs_parse_compact(compact, 14, &t) ? t : -1;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

int pxs_pickle_days(const char *statsdir, const char *client, pxs_filetype ft, int64_t **days,
                    size_t *n)
{
    char *cdir = pxs_pickle_client_dir(statsdir, client);
    pxs_dirlist d;
    int rc = pxs_dir_read(cdir, &d);
    size_t cap = 0;

    *days = NULL;
    *n = 0;
    for (size_t i = 0; rc == 0 && i < d.n; i++) {
        int64_t day = S_ISDIR(d.e[i].type) ? day_of(d.e[i].name) : -1;
        if (day < 0)
            continue;
        char *ftdir = pxs_pickle_ft_dir(statsdir, client, day, ft);
        if (is_dir(ftdir)) {
            if (*n == cap)
                xgrow((void **)days, &cap, *n + 1, sizeof **days);
            (*days)[(*n)++] = day;
        }
        free(ftdir);
    }
    pxs_dir_free(&d);
    free(cdir);
    if (*n > 1)
        qsort(*days, *n, sizeof **days, cmp_i64);
    return rc;
}

int pxs_pickle_clients(const char *statsdir, pxs_filetype ft, pxs_strlist *out)
{
    char *dir = pxs_pickles_dir(statsdir);
    pxs_dirlist d;
    int rc = pxs_dir_read(dir, &d);

    for (size_t i = 0; rc == 0 && i < d.n; i++) {
        const char *name = d.e[i].name;
        int64_t *days;
        size_t n;
        if (!S_ISDIR(d.e[i].type) || !pxs_name_valid(name))
            continue;
        rc = pxs_pickle_days(statsdir, name, ft, &days, &n);
        if (rc == 0 && n > 0)
            pxs_strlist_add_unique(out, name);
        free(days);
    }
    pxs_dir_free(&d);
    free(dir);
    pxs_strlist_sort(out);
    return rc;
}

/* The newest hour of machine in one day folder, or -1. */
static int newest_in_day(const char *ftdir, const char *machine)
{
    pxs_dirlist d;
    size_t ml = strlen(machine);
    int best = -1;

    if (pxs_dir_read(ftdir, &d) != 0)
        return -1;
    for (size_t i = 0; i < d.n; i++) {
        size_t len;
        int h = S_ISREG(d.e[i].type) ? pxs_pickle_name_hour(d.e[i].name, &len) : -1;
        if (h > best && len == ml && strncmp(d.e[i].name, machine, ml) == 0)
            best = h;
    }
    pxs_dir_free(&d);
    return best;
}

/* The newest hour of machine for one client: 1 found, 0 none, -1 error. */
static int newest_of_client(const char *statsdir, pxs_filetype ft, const char *client,
                            const char *machine, int64_t *hour)
{
    int64_t *days;
    size_t n;
    int found = 0;

    if (pxs_pickle_days(statsdir, client, ft, &days, &n) != 0)
        return -1;
    /* Newest day first: the first day holding the machine has its newest hour. */
    for (size_t i = n; i-- > 0 && !found;) {
        char *ftdir = pxs_pickle_ft_dir(statsdir, client, days[i], ft);
        int h = newest_in_day(ftdir, machine);
        free(ftdir);
        if (h >= 0) {
            *hour = days[i] + (int64_t)h * PXS_HOUR;
            found = 1;
        }
    }
    free(days);
    return found;
}

int pxs_pickle_newest(const char *statsdir, pxs_filetype ft, const pxs_strlist *clients,
                      const char *machine, int64_t *hour)
{
    pxs_strlist all;
    const pxs_strlist *names = clients;
    int found = 0, rc = 0;

    pxs_strlist_init(&all);
    if (clients == NULL) {
        rc = pxs_pickle_clients(statsdir, ft, &all);
        names = &all;
    }
    for (size_t i = 0; rc == 0 && i < names->n; i++) {
        int64_t h;
        int r = newest_of_client(statsdir, ft, names->v[i], machine, &h);
        if (r < 0)
            rc = -1;
        else if (r == 1 && (!found || h > *hour)) {
            *hour = h;
            found = 1;
        }
    }
    pxs_strlist_free(&all);
    return rc < 0 ? -1 : found;
}
