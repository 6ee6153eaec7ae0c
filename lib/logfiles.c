/* logfiles — choose a client's log files by what they contain. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/logfiles.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* How far the first timed line is looked for at the top of a file. */
#define HEAD_MAX (1024 * 1024)
#define TAIL_STEP (64 * 1024)

/* The time at the start of a line, if it has one. */
static bool line_time(const char *p, size_t len, int64_t *t)
{
    return len > PXS_ISO_LEN && p[PXS_ISO_LEN] == ',' && pxs_parse_iso(p, PXS_ISO_LEN, t);
}

static bool is_gzip(const char *path)
{
    unsigned char m[2];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool gz = fd >= 0 && read(fd, m, 2) == 2 && m[0] == 0x1f && m[1] == 0x8b;

    if (fd >= 0)
        close(fd);
    return gz;
}

/* Reads up to n bytes from the top of a file (inflated when gz). */
static ssize_t read_head(const char *path, bool gz, char *buf, size_t n)
{
    ssize_t got = 0;

    if (gz) {
        gzFile g = gzopen(path, "rb");
        if (g == NULL)
            return -1;
        got = gzread(g, buf, (unsigned)n);
        gzclose(g);
        return got;
    } else {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return -1;
        while ((size_t)got < n) {
            ssize_t r = read(fd, buf + got, n - (size_t)got);
            if (r <= 0)
                break;
            got += r;
        }
        close(fd);
        return got;
    }
}

bool pxs_logfile_first_time(const char *path, bool gz, int64_t *t)
{
    char *buf = xmalloc(HEAD_MAX);
    ssize_t n = read_head(path, gz, buf, HEAD_MAX);
    bool found = false;

    for (char *p = buf, *end = buf + (n > 0 ? n : 0); p < end && !found;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p);
        found = line_time(p, len, t);
        p = nl ? nl + 1 : end;
    }
    free(buf);
    return found;
}

/* The last line start in buf[0..region) whose line carries a time; the
 * buffer may extend past region (up to len) so that a line starting near the
 * region's end is read whole. */
static bool last_in(const char *buf, size_t region, size_t len, bool starts_line, int64_t *t)
{
    for (size_t i = region; i > 0; i--) {
        size_t at = i - 1;
        bool line_start = at == 0 ? starts_line : buf[at - 1] == '\n';
        if (line_start && line_time(buf + at, len - at, t))
            return true;
    }
    return false;
}

static bool last_time_plain(const char *path, int64_t *t)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf = xmalloc(TAIL_STEP + PXS_ISO_LEN + 2);
    struct stat st;
    bool found = false;

    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        free(buf);
        return false;
    }
    /* Backwards a block at a time; each read also takes the first bytes of
     * the block after it, so a line starting on the edge is seen whole. */
    for (off_t end = st.st_size; end > 0 && !found;) {
        off_t from = end > TAIL_STEP ? end - TAIL_STEP : 0;
        size_t region = (size_t)(end - from);
        size_t extra = end < st.st_size ? PXS_ISO_LEN + 1 : 0;
        ssize_t got = pread(fd, buf, region + extra, from);
        if (got <= 0)
            break;
        if ((size_t)got < region)
            region = (size_t)got;
        found = last_in(buf, region, (size_t)got, from == 0, t);
        end = from;
    }
    close(fd);
    free(buf);
    return found;
}

/* gzip has no way back: inflate it all and keep the last timed line. */
static bool last_time_gz(const char *path, int64_t *t)
{
    gzFile g = gzopen(path, "rb");
    char *buf = xmalloc(TAIL_STEP * 4 + 1);
    size_t keep = 0;
    bool found = false, at_line_start = true;

    if (g == NULL) {
        free(buf);
        return false;
    }
    for (;;) {
        int n = gzread(g, buf + keep, TAIL_STEP * 4 - (unsigned)keep);
        char *p, *end, *nl;
        if (n <= 0)
            break;
        end = buf + keep + n;
        for (p = buf; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
            int64_t x;
            if (at_line_start && line_time(p, (size_t)(nl - p), &x)) {
                *t = x;
                found = true;
            }
            at_line_start = true;
        }
        keep = (size_t)(end - p);
        if (keep > PXS_ISO_LEN * 4) {
            /* A long partial line: its start has been judged already. */
            int64_t x;
            if (at_line_start && line_time(p, keep, &x)) {
                *t = x;
                found = true;
            }
            at_line_start = false;
            keep = 0;
        } else
            memmove(buf, p, keep);
    }
    if (keep > 0 && at_line_start) {
        int64_t x;
        if (line_time(buf, keep, &x)) {
            *t = x;
            found = true;
        }
    }
    gzclose(g);
    free(buf);
    return found;
}

bool pxs_logfile_last_time(const char *path, bool gz, int64_t *t)
{
    return gz ? last_time_gz(path, t) : last_time_plain(path, t);
}

static int cmp_files(const void *a, const void *b)
{
    const pxs_logfile *x = a, *y = b;

    /* The live .log is the newest whatever its first line says. */
    if (x->live != y->live)
        return x->live ? 1 : -1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return strcmp(x->path, y->path);
}

char *pxs_logfile_client(const char *entry, pxs_filetype ft, bool *live)
{
    const char *name = entry + 3, *best = NULL;

    if (strncmp(entry, pxs_filetype_name(ft), 2) != 0 || entry[2] != '_')
        return NULL;
    for (const char *p = strstr(name, ".log"); p != NULL; p = strstr(p + 1, ".log")) {
        char after = p[4];
        if (p > name && (after == '\0' || (after == '.' && p[5] >= '0' && p[5] <= '9')))
            best = p;
    }
    if (best == NULL)
        return NULL;
    *live = best[4] == '\0';
    return xstrndup(name, (size_t)(best - name));
}

/* A log file of client? */
static bool is_candidate(const char *entry, pxs_filetype ft, const char *client, bool *live)
{
    char *name = pxs_logfile_client(entry, ft, live);
    bool yes = name != NULL && strcmp(name, client) == 0;

    free(name);
    return yes;
}

void pxs_logfiles_free(pxs_logfiles *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->f[i].path);
    free(l->f);
    memset(l, 0, sizeof *l);
}

int pxs_logfiles_list(const char *dir, pxs_filetype ft, const char *client, pxs_logfiles *out)
{
    DIR *d = opendir(dir);
    struct dirent *de;

    memset(out, 0, sizeof *out);
    if (d == NULL) {
        pxs_set_error_errno("cannot read log directory %s", dir);
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        pxs_logfile f = {0};
        struct stat st;
        if (!is_candidate(de->d_name, ft, client, &f.live))
            continue;
        f.path = xasprintf("%s/%s", dir, de->d_name);
        if (stat(f.path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(f.path);
            continue;
        }
        f.dev = (uint64_t)st.st_dev;
        f.ino = (uint64_t)st.st_ino;
        f.size = (uint64_t)st.st_size;
        f.gz = is_gzip(f.path);
        f.first = f.last = -1;
        if (!pxs_logfile_first_time(f.path, f.gz, &f.first))
            f.first = -1;
        xgrow((void **)&out->f, &out->cap, out->n + 1, sizeof *out->f);
        out->f[out->n++] = f;
    }
    closedir(d);
    pxs_logfiles_sort(out);
    return 0;
}

void pxs_logfiles_sort(pxs_logfiles *l)
{
    if (l->n > 1)
        qsort(l->f, l->n, sizeof *l->f, cmp_files);
}

int pxs_logfiles_find(const char *dir, pxs_filetype ft, const char *client, int64_t start,
                      int64_t end, pxs_logfiles *out)
{
    size_t k = 0;

    if (pxs_logfiles_list(dir, ft, client, out) != 0)
        return -1;
    for (size_t i = 0; i < out->n; i++) {
        pxs_logfile *f = &out->f[i];
        if (f->first >= 0 && f->first <= end && pxs_logfile_last_time(f->path, f->gz, &f->last) &&
            f->last >= start)
            out->f[k++] = *f;
        else
            free(f->path);
    }
    out->n = k;
    return 0;
}
