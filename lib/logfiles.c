/* logfiles — choose a client's log files by what they contain. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pxstats/logfiles.h"
#include "pxstats/logscan.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* How much of a file's top is read at first (and then four times more, up to
 * PXS_LINE_MAX) when looking for its first plausible time. */
#define HEAD_STEP (16 * 1024)
#define TAIL_STEP (64 * 1024)

/* The time at the start of a line, if it has one in [PXS_LOG_TIME_MIN, max]. */
static bool line_time(const char *p, size_t len, int64_t max, int64_t *t)
{
    int64_t x;

    if (len <= PXS_ISO_LEN || p[PXS_ISO_LEN] != ',' || !pxs_parse_iso(p, PXS_ISO_LEN, &x) ||
        x < PXS_LOG_TIME_MIN || x > max)
        return false;
    *t = x;
    return true;
}

static bool is_gzip(const char *path)
{
    unsigned char m[2];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    bool gz = fd >= 0 && read(fd, m, 2) == 2 && m[0] == 0x1f && m[1] == 0x8b;

    if (fd >= 0)
        close(fd);
    return gz;
}

/* The top of a file, read a little at a time (inflated when gz). */
typedef struct head {
    pxs_logreader rd;
    char *buf;
    size_t got, cap;    /* bytes in buf, and room */
    bool eof;
    char *why;          /* set on an open or read error */
} head;

static bool head_open(head *h, const char *path, bool gz)
{
    memset(h, 0, sizeof *h);
    if (pxs_logreader_open(&h->rd, path, gz, 0) != 0) {
        h->why = xstrdup(pxs_error());
        return false;
    }
    return true;
}

/* Reads until got >= want, or the end; false on a read error (why set). */
static bool head_fill(head *h, size_t want)
{
    if (h->cap < want) {
        h->buf = xrealloc(h->buf, want);
        h->cap = want;
    }
    while (!h->eof && h->got < want) {
        ssize_t r = pxs_logreader_read(&h->rd, h->buf + h->got, want - h->got);
        if (r < 0) {
            h->why = xstrdup(pxs_error());
            return false;
        }
        h->eof = r == 0;
        h->got += (size_t)r;
    }
    return true;
}

static void head_close(head *h)
{
    pxs_logreader_close(&h->rd);
    free(h->buf);
    free(h->why);
}

/* The first line of buf[0..got) (from *from) with a plausible time; the last
 * piece without '\n' counts only at the end of the file. Moves *from past the
 * complete lines looked at; *ahead gets the first time after max seen. */
static bool first_in(const head *h, size_t *from, int64_t max, int64_t *t, int64_t *ahead)
{
    const char *p = h->buf + *from, *end = h->buf + h->got, *nl;

    while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        if (line_time(p, (size_t)(nl - p), max, t))
            return true;
        if (*ahead < 0)
            line_time(p, (size_t)(nl - p), INT64_MAX, ahead);
        p = nl + 1;
    }
    *from = (size_t)(p - h->buf);
    return h->eof && line_time(p, (size_t)(end - p), max, t);
}

/* Looks at the top of f: fingerprint, first plausible time, or why not. */
static void inspect(pxs_logfile *f, int64_t max)
{
    head h;
    size_t from = 0, want = HEAD_STEP;
    int64_t ahead = -1;
    bool found = false;

    f->first = f->last = -1;
    if (!head_open(&h, f->path, f->gz) || !head_fill(&h, want)) {
        f->why = h.why;
        h.why = NULL;
        head_close(&h);
        return;
    }
    f->head_len = (uint32_t)(h.got < PXS_FP_MAX ? h.got : PXS_FP_MAX);
    memcpy(f->head, h.buf, f->head_len);
    while (!(found = first_in(&h, &from, max, &f->first, &ahead)) && !h.eof &&
           want < PXS_LINE_MAX) {
        want = want * 4 < PXS_LINE_MAX ? want * 4 : PXS_LINE_MAX;
        if (!head_fill(&h, want)) {
            f->why = h.why;
            h.why = NULL;
            break;
        }
    }
    if (!found && ahead >= 0) {
        /* Every time it shows is after max: a file beyond the caller's date
         * (logs read after the fact), ordered by its first time. */
        f->first = ahead;
        found = true;
    }
    /* Nothing yet, or the live file's first line still being written: no
     * error. Anything else without a plausible time cannot be placed. */
    if (!found && f->why == NULL && h.got > 0 &&
        !(f->live && h.got < PXS_LINE_MAX && memchr(h.buf, '\n', h.got) == NULL))
        f->why = xasprintf("no line with a plausible time in its first %zu bytes%s", h.got,
                           h.got >= PXS_LINE_MAX ? " (one over-long line, NUL bytes or a clock "
                                                   "that was not set?)" : "");
    if (!found)
        f->first = -1;
    head_close(&h);
}

bool pxs_logfile_first_time(const char *path, bool gz, int64_t max_time, int64_t *t)
{
    pxs_logfile f = {.path = (char *)path, .gz = gz};

    inspect(&f, max_time);
    free(f.why);
    if (f.first >= 0)
        *t = f.first;
    return f.first >= 0;
}

/* The last line start in buf[0..region) whose line carries a time; the
 * buffer may extend past region (up to len) so that a line starting near the
 * region's end is read whole. */
static bool last_in(const char *buf, size_t region, size_t len, bool starts_line, int64_t max,
                    int64_t *t)
{
    for (size_t i = region; i > 0; i--) {
        size_t at = i - 1;
        bool line_start = at == 0 ? starts_line : buf[at - 1] == '\n';
        if (line_start && line_time(buf + at, len - at, max, t))
            return true;
    }
    return false;
}

static bool last_time_plain(const char *path, int64_t max, int64_t *t)
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
        found = last_in(buf, region, (size_t)got, from == 0, max, t);
        end = from;
    }
    close(fd);
    free(buf);
    return found;
}

/* gzip has no way back: inflate it all and keep the last timed line. */
static bool last_time_gz(const char *path, int64_t max, int64_t *t)
{
    pxs_logreader rd;
    char *buf;
    size_t keep = 0;
    bool found = false, at_line_start = true;

    if (pxs_logreader_open(&rd, path, true, 0) != 0) {
        pxs_logreader_close(&rd);
        return false;
    }
    buf = xmalloc(TAIL_STEP * 4 + 1);
    for (;;) {
        ssize_t n = pxs_logreader_read(&rd, buf + keep, TAIL_STEP * 4 - keep);
        char *p, *end, *nl;
        if (n <= 0)
            break;
        end = buf + keep + (size_t)n;
        for (p = buf; (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
            int64_t x;
            if (at_line_start && line_time(p, (size_t)(nl - p), max, &x)) {
                *t = x;
                found = true;
            }
            at_line_start = true;
        }
        keep = (size_t)(end - p);
        if (keep > PXS_ISO_LEN * 4) {
            /* A long partial line: its start has been judged already. */
            int64_t x;
            if (at_line_start && line_time(p, keep, max, &x)) {
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
        if (line_time(buf, keep, max, &x)) {
            *t = x;
            found = true;
        }
    }
    pxs_logreader_close(&rd);
    free(buf);
    return found;
}

bool pxs_logfile_last_time(const char *path, bool gz, int64_t max_time, int64_t *t)
{
    return gz ? last_time_gz(path, max_time, t) : last_time_plain(path, max_time, t);
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
    for (size_t i = 0; i < l->n; i++) {
        free(l->f[i].path);
        free(l->f[i].why);
    }
    free(l->f);
    memset(l, 0, sizeof *l);
}

struct pxs_logdir_entry {
    char *client, *name;
    bool live;
};

void pxs_logdir_init(pxs_logdir *d, const char *dir, pxs_filetype ft)
{
    memset(d, 0, sizeof *d);
    d->dir = xstrdup(dir);
    d->ft = ft;
}

static void logdir_clear(pxs_logdir *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].client);
        free(d->v[i].name);
    }
    d->n = 0;
    d->listed = false;
}

void pxs_logdir_free(pxs_logdir *d)
{
    logdir_clear(d);
    free(d->v);
    free(d->dir);
    memset(d, 0, sizeof *d);
}

static int cmp_entry(const void *a, const void *b)
{
    const struct pxs_logdir_entry *x = a, *y = b;
    int c = strcmp(x->client, y->client);

    return c ? c : strcmp(x->name, y->name);
}

static bool same_time(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Lists the directory again unless the listing in hand is still its content:
 * the directory is the same, with the same mtime and ctime (any entry
 * created, renamed or removed changes them), and the listing was not made
 * within a second of its last change (timestamps are coarse: a change in
 * the same tick as the one before the listing would not show). */
static int logdir_refresh(pxs_logdir *d)
{
    struct stat st;
    struct timespec now;
    DIR *dh;
    struct dirent *de;

    if (stat(d->dir, &st) != 0) {
        pxs_set_error_errno("cannot read log directory %s", d->dir);
        return -1;
    }
    if (d->listed && !d->racy && d->st.st_dev == st.st_dev && d->st.st_ino == st.st_ino &&
        same_time(d->st.st_mtim, st.st_mtim) && same_time(d->st.st_ctim, st.st_ctim))
        return 0;
    logdir_clear(d);
    clock_gettime(CLOCK_REALTIME, &now);
    dh = opendir(d->dir);
    if (dh == NULL) {
        pxs_set_error_errno("cannot read log directory %s", d->dir);
        return -1;
    }
    while ((de = readdir(dh)) != NULL) {
        bool live;
        char *client = pxs_logfile_client(de->d_name, d->ft, &live);
        if (client == NULL)
            continue;
        xgrow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v);
        d->v[d->n++] = (struct pxs_logdir_entry){client, xstrdup(de->d_name), live};
    }
    closedir(dh);
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, cmp_entry);
    d->st = st;
    d->listed = true;
    d->racy = st.st_mtim.tv_sec >= now.tv_sec - 1 || st.st_ctim.tv_sec >= now.tv_sec - 1;
    return 0;
}

int pxs_logdir_files(pxs_logdir *d, const char *client, int64_t max_time, pxs_logfiles *out)
{
    size_t lo = 0, hi;

    memset(out, 0, sizeof *out);
    if (logdir_refresh(d) != 0)
        return -1;
    /* The first entry of client, by bisection. */
    hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->v[mid].client, client) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < d->n && strcmp(d->v[i].client, client) == 0; i++) {
        pxs_logfile f = {0};
        struct stat st;
        f.live = d->v[i].live;
        f.path = xasprintf("%s/%s", d->dir, d->v[i].name);
        if (stat(f.path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(f.path);
            continue;
        }
        f.dev = (uint64_t)st.st_dev;
        f.ino = (uint64_t)st.st_ino;
        f.size = (uint64_t)st.st_size;
        f.gz = is_gzip(f.path);
        inspect(&f, max_time);
        xgrow((void **)&out->f, &out->cap, out->n + 1, sizeof *out->f);
        out->f[out->n++] = f;
    }
    pxs_logfiles_sort(out);
    return 0;
}

int pxs_logfiles_list(const char *dir, pxs_filetype ft, const char *client, int64_t max_time,
                      pxs_logfiles *out)
{
    pxs_logdir d;
    int rc;

    pxs_logdir_init(&d, dir, ft);
    rc = pxs_logdir_files(&d, client, max_time, out);
    pxs_logdir_free(&d);
    return rc;
}

void pxs_logfiles_sort(pxs_logfiles *l)
{
    if (l->n > 1)
        qsort(l->f, l->n, sizeof *l->f, cmp_files);
}

int pxs_logfiles_find(const char *dir, pxs_filetype ft, const char *client, int64_t start,
                      int64_t end, int64_t max_time, pxs_logfiles *out)
{
    size_t k = 0;

    if (pxs_logfiles_list(dir, ft, client, max_time, out) != 0)
        return -1;
    for (size_t i = 0; i < out->n; i++) {
        pxs_logfile *f = &out->f[i];
        if (f->why != NULL)
            pxs_warnx("%s: %s; left out", f->path, f->why);
        if (f->why == NULL && f->first >= 0 && f->first <= end &&
            pxs_logfile_last_time(f->path, f->gz, max_time, &f->last) && f->last >= start) {
            out->f[k++] = *f;
        } else {
            free(f->path);
            free(f->why);
        }
    }
    out->n = k;
    return 0;
}

unsigned pxs_logfiles_types(const char *dir, const char *name)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    unsigned types = 0;

    while (d != NULL && (de = readdir(d)) != NULL) {
        for (int ft = PXS_TX; ft <= PXS_RX; ft++) {
            bool live;
            if (is_candidate(de->d_name, (pxs_filetype)ft, name, &live))
                types |= 1u << ft;
        }
    }
    if (d != NULL)
        closedir(d);
    return types;
}
