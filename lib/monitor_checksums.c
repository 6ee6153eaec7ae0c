/* monitor_checksums — check 5: the installed programs and the config did not
 * change behind the operator's back.
 *
 * CRC-32 (zlib) and size of: the pxstats programs present in the binary
 * directory ([monitoring] binDir, else the directory of the running
 * statsMonitor), the config file, and the files and directories listed in
 * [monitoring] files. Compared with previousFileChecksums; the first run only
 * records. A change is reported once: the next run compares with the new sums. */
#include "pxstats/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/msg.h"
#include "pxstats/safefs.h"
#include "pxstats/state.h"
#include "pxstats/xalloc.h"

/* The programs of DESIGN.md §2. */
static const char *const programs[] = {
    "statsUpdater", "pickleView", "timesView", "setLastUpdate", "pickleClean",
    "pickleMerge", "pickleSync", "rrdTransfer", "restoreRRD", "rrdGraph",
    "graphGen", "webPages", "launchGraphs", "statsMonitor",
};

typedef struct sum {
    char *path;
    unsigned long crc;
    long long size;
} sum;

typedef struct sums {
    sum *v;
    size_t n, cap;
} sums;

static void sums_add(sums *s, const char *path, unsigned long crc, long long size)
{
    xgrow((void **)&s->v, &s->cap, s->n + 1, sizeof *s->v);
    s->v[s->n++] = (sum){xstrdup(path), crc, size};
}

static void sums_free(sums *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].path);
    free(s->v);
}

static const sum *sums_find(const sums *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].path, path) == 0)
            return &s->v[i];
    return NULL;
}

/* CRC-32 of a whole file; -1 with errno set on failure. */
static int file_crc(const char *path, unsigned long *crc, long long *size)
{
    /* A regular file only: a FIFO among the watched files must not hang the run. */
    int fd = pxs_file_open(path, O_RDONLY, 0);
    if (fd < 0)
        return -1;
    unsigned char b[65536];
    ssize_t n;
    *crc = crc32(0L, Z_NULL, 0);
    *size = 0;
    while ((n = read(fd, b, sizeof b)) > 0) {
        *crc = crc32(*crc, b, (uInt)n);
        *size += n;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return n < 0 ? -1 : 0;
}

static void sum_file(pxs_monitor *m, sums *now, const char *path)
{
    unsigned long crc;
    long long size;
    if (sums_find(now, path) != NULL)
        return;
    if (file_crc(path, &crc, &size) < 0) {
        char *key = xasprintf("unreadable %s", path);
        pxs_mon_add(m, PXS_MON_CHECKSUMS, key, "Cannot read %s: %s", path, strerror(errno));
        free(key);
        return;
    }
    sums_add(now, path, crc, size);
}

/* A listed directory contributes its regular files (not its subdirectories). */
static void sum_dir(pxs_monitor *m, sums *now, const char *dir)
{
    pxs_dirlist d;
    if (pxs_dir_read(dir, &d) != 0)   /* a missing directory is empty */
        return;
    for (size_t i = 0; i < d.n; i++) {
        if (d.e[i].name[0] == '.')
            continue;
        char *p = xasprintf("%s/%s", dir, d.e[i].name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
            sum_file(m, now, p);
        free(p);
    }
    pxs_dir_free(&d);
}

static char *own_bindir(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash != NULL)
        *slash = '\0';
    return xstrdup(exe);
}

static void collect(pxs_monitor *m, sums *now)
{
    const char *conf = pxs_conf_get(m->cfg, "monitoring", "binDir", NULL);
    char *bindir = conf != NULL ? xstrdup(conf) : own_bindir();
    for (size_t i = 0; bindir != NULL && i < sizeof programs / sizeof programs[0]; i++) {
        char *p = xasprintf("%s/%s", bindir, programs[i]);
        if (access(p, F_OK) == 0)
            sum_file(m, now, p);
        free(p);
    }
    free(bindir);
    if (m->cfg->file != NULL) {
        /* The absolute name: cron and an operator's shell start elsewhere. */
        char *abs = realpath(m->cfg->file, NULL);
        sum_file(m, now, abs != NULL ? abs : m->cfg->file);
        free(abs);
    }
    pxs_strlist extra;
    pxs_strlist_init(&extra);
    pxs_strlist_split(&extra, pxs_conf_get(m->cfg, "monitoring", "files", ""), ';');
    for (size_t i = 0; i < extra.n; i++) {
        struct stat st;
        if (stat(extra.v[i], &st) == 0 && S_ISDIR(st.st_mode))
            sum_dir(m, now, extra.v[i]);
        else
            sum_file(m, now, extra.v[i]);
    }
    pxs_strlist_free(&extra);
}

static int prev_line(char **f, int n, void *arg)
{
    unsigned long crc;
    long long size;
    char *end;
    if (n != 3 || (crc = strtoul(f[0], &end, 16), *end != '\0') ||
        (size = strtoll(f[1], &end, 10), *end != '\0')) {
        pxs_set_error("expected '<crc32 hex> <size> <path>'");
        return -1;
    }
    pxs_state_unescape(f[2]);
    sums_add(arg, f[2], crc, size);
    return 0;
}

static void compare(pxs_monitor *m, const sums *prev, const sums *now)
{
    for (size_t i = 0; i < now->n; i++) {
        const sum *p = sums_find(prev, now->v[i].path), *c = &now->v[i];
        char *key = xasprintf("%s %08lx", c->path, c->crc);
        if (p == NULL)
            pxs_mon_add(m, PXS_MON_CHECKSUMS, key, "%s has been added.", c->path);
        else if (p->crc != c->crc || p->size != c->size)
            pxs_mon_add(m, PXS_MON_CHECKSUMS, key,
                        "Checksum of %s has changed (CRC-32 %08lx, %lld bytes; was %08lx, %lld bytes).",
                        c->path, c->crc, c->size, p->crc, p->size);
        free(key);
    }
    for (size_t i = 0; i < prev->n; i++)
        if (sums_find(now, prev->v[i].path) == NULL) {
            char *key = xasprintf("gone %s", prev->v[i].path);
            pxs_mon_add(m, PXS_MON_CHECKSUMS, key, "%s could not be found.", prev->v[i].path);
            free(key);
        }
}

/* The new previousFileChecksums text. */
static char *render(const sums *now)
{
    char *text = xstrdup("# <CRC-32> <size> <path> of the files statsMonitor watches\n");
    for (size_t i = 0; i < now->n; i++) {
        char *e = pxs_state_escape(now->v[i].path);
        char *t = xasprintf("%s%08lx %lld %s\n", text, now->v[i].crc, now->v[i].size, e);
        free(text);
        free(e);
        text = t;
    }
    return text;
}

void pxs_mon_check_checksums(pxs_monitor *m)
{
    sums prev = {0}, now = {0};
    char *path = pxs_mon_state_file(m, "previousFileChecksums");
    struct stat st;
    bool first = stat(path, &st) != 0;
    collect(m, &now);
    if (!first && pxs_state_read_lines(path, prev_line, &prev) < 0) {
        pxs_mon_add(m, PXS_MON_CHECKSUMS, "state", "%s", pxs_error());
    } else if (first) {
        pxs_mon_note(m, PXS_MON_CHECKSUMS, "first run: %zu checksums recorded", now.n);
    } else {
        compare(m, &prev, &now);
        pxs_mon_note(m, PXS_MON_CHECKSUMS, "%zu files checked", now.n);
    }
    m->checksums = render(&now);
    free(path);
    sums_free(&prev);
    sums_free(&now);
}
