/* clean — removal of snapshot days older than the days kept. */
#include "pxstats/clean.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/layout.h"
#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/names.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

int64_t pxs_clean_cutoff(int64_t now, int keep_days)
{
    return pxs_day_floor(now) - (int64_t)(keep_days - 1) * PXS_DAY;
}

bool pxs_clean_day_name(const char *name, int64_t *day)
{
    char iso[11], back[9];

    if (strlen(name) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (!isdigit((unsigned char)name[i]))
            return false;
    snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", name, name + 4, name + 6);
    if (!pxs_parse_date_arg(iso, day))
        return false;
    /* The round trip refuses what a lenient parser might accept (20060230). */
    pxs_strftime(*day, "%Y%m%d", back, sizeof back);
    return strcmp(back, name) == 0;
}

/* Cleans one client directory; returns 0, or 1 when something failed. */
static int clean_client(int pickles, const char *pdir, const char *client, int64_t cutoff,
                        bool dry_run, pxs_strlist *removed)
{
    char *cdir = xasprintf("%s/%s", pdir, client);
    int fd = openat(pickles, client, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    pxs_dirlist days = {0};
    int rc = 0;

    if (fd < 0 || pxs_dir_read_fd(fd, cdir, &days) < 0) {
        if (fd < 0)
            pxs_set_error_errno("%s", cdir);
        pxs_warnx("%s", pxs_error());
        rc = 1;
    }
    for (size_t i = 0; rc == 0 && i < days.n; i++) {
        int64_t day;
        char *path;

        if (!pxs_clean_day_name(days.e[i].name, &day) || day >= cutoff || !S_ISDIR(days.e[i].type))
            continue;
        path = xasprintf("%s/%s", cdir, days.e[i].name);
        if (!dry_run && pxs_remove_tree_at(fd, days.e[i].name, path) < 0) {
            pxs_warnx("%s", pxs_error());
            rc = 1;
        } else {
            pxs_strlist_add(removed, path);
        }
        free(path);
    }
    if (fd >= 0)
        close(fd);
    pxs_dir_free(&days);
    free(cdir);
    return rc;
}

int pxs_clean_pickles(const char *statsdir, int64_t now, int keep_days, bool dry_run,
                      pxs_strlist *removed)
{
    char *pdir = pxs_stats_file(statsdir, "pickles");
    /* pickles/ itself must not be a link either: deleting through it would
     * delete outside the tree. */
    int fd = open(pdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int64_t cutoff = pxs_clean_cutoff(now, keep_days);
    pxs_dirlist clients;
    int rc = 0;

    if (fd < 0) {
        struct stat st;
        rc = errno == ENOENT ? 0 : -1;
        if (rc < 0 && lstat(pdir, &st) == 0 && S_ISLNK(st.st_mode))
            pxs_set_error("%s: %s, not a directory: refused", pdir, pxs_mode_name(st.st_mode));
        else if (rc < 0)
            pxs_set_error_errno("%s", pdir);
        free(pdir);
        return rc;
    }
    if (pxs_dir_read_fd(fd, pdir, &clients) < 0)
        rc = -1;
    for (size_t i = 0; rc >= 0 && i < clients.n; i++) {
        /* A name that could not be a client (".snapshot", "lost+found") is
         * not ours to touch, nor is a link to a directory elsewhere. */
        if (!pxs_name_valid(clients.e[i].name) || !S_ISDIR(clients.e[i].type))
            continue;
        if (clean_client(fd, pdir, clients.e[i].name, cutoff, dry_run, removed) != 0)
            rc = 1;
    }
    pxs_dir_free(&clients);
    close(fd);
    free(pdir);
    return rc;
}

/* Removes the old PNGs of one directory of graphs (open at fd): regular files
 * whose name ends in ".png" and whose mtime is before cutoff. Returns 0, or
 * 1 when one could not be removed (warned about). */
static int clean_graph_dir(int fd, const char *path, int64_t cutoff, bool dry_run,
                           pxs_strlist *removed)
{
    pxs_dirlist names;
    int rc = 0;
    if (pxs_dir_read_fd(fd, path, &names) < 0) {
        pxs_warnx("%s", pxs_error());
        return 1;
    }
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.e[i].name;
        size_t l = strlen(n);
        struct stat st;
        if (l <= 4 || strcmp(n + l - 4, ".png") != 0 ||
            fstatat(fd, n, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            (int64_t)st.st_mtime >= cutoff)
            continue;
        char *p = xasprintf("%s/%s", path, n);
        if (!dry_run && unlinkat(fd, n, 0) != 0 && errno != ENOENT) {
            pxs_warnx("cannot remove %s: %s", p, strerror(errno));
            rc = 1;
        } else {
            pxs_strlist_add(removed, p);
        }
        free(p);
    }
    pxs_dir_free(&names);
    return rc;
}

/* Opens the real directory name under parent (no link followed); -1 when it
 * is not one. */
static int open_dir_at(int parent, const char *name)
{
    return openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int pxs_clean_graphs(const char *statsdir, int64_t now, int keep_days, bool dry_run,
                     pxs_strlist *removed)
{
    char *gdir = pxs_stats_file(statsdir, "graphs");
    int top = open(gdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int64_t cutoff = pxs_clean_cutoff(now, keep_days);
    int rc = 0;
    if (top < 0) {
        rc = errno == ENOENT ? 0 : -1;
        if (rc < 0)
            pxs_set_error_errno("%s", gdir);
        free(gdir);
        return rc;
    }
    static const char *const fts[] = {"tx", "rx"};
    for (int f = 0; f < 2; f++) {
        int ftfd = open_dir_at(top, fts[f]);
        if (ftfd < 0)
            continue;
        char *ftdir = xasprintf("%s/%s", gdir, fts[f]);
        pxs_dirlist clients;
        if (pxs_dir_read_fd(ftfd, ftdir, &clients) < 0) {
            pxs_warnx("%s", pxs_error());
            rc = 1;
        }
        for (size_t i = 0; i < clients.n; i++) {
            /* graphGen names a graph of several clients "a-b": any name it
             * could make is a client directory; nothing else is touched. */
            const char *cn = clients.e[i].name;
            int cfd = pxs_name_valid(cn) ? open_dir_at(ftfd, cn) : -1;
            if (cfd < 0)
                continue;
            char *cdir = xasprintf("%s/%s", ftdir, cn);
            rc |= clean_graph_dir(cfd, cdir, cutoff, dry_run, removed);
            int rfd = open_dir_at(cfd, "rrdgraphs");
            if (rfd >= 0) {
                char *rdir = xasprintf("%s/rrdgraphs", cdir);
                rc |= clean_graph_dir(rfd, rdir, cutoff, dry_run, removed);
                free(rdir);
                close(rfd);
            }
            free(cdir);
            close(cfd);
        }
        pxs_dir_free(&clients);
        free(ftdir);
        close(ftfd);
    }
    close(top);
    free(gdir);
    return rc;
}
