/* logscan — whole lines from a position to the end, streamed to a sink. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/logscan.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* Bytes asked of the kernel (or zlib) per read: FIRST_READ at first, twice
 * as many each time up to CHUNK, so that a scan that stops early (a lookahead,
 * a file with a few new lines) touches little of its buffer. */
#define CHUNK (1024 * 1024)
#define FIRST_READ (64 * 1024)

int pxs_logreader_open(pxs_logreader *rd, const char *path, bool gz, uint64_t offset)
{
    rd->fd = -1;
    rd->gz = NULL;
    rd->path = path;
    if (gz) {
        errno = 0;
        rd->gz = gzopen(path, "rb");
        if (rd->gz == NULL) {
            if (errno == 0)
                errno = ENOMEM;
            pxs_set_error_errno("cannot open it");
            return -1;
        }
        gzbuffer(rd->gz, 256 * 1024);
        /* A gzip stream cannot be entered in the middle: gzseek inflates and
         * discards up to the offset. Rotated files are read once anyway. */
        if (offset > 0 && gzseek(rd->gz, (z_off_t)offset, SEEK_SET) != (z_off_t)offset) {
            pxs_set_error("cannot seek to %llu (shorter than before?)", (unsigned long long)offset);
            return -1;
        }
        return 0;
    }
    rd->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (rd->fd < 0) {
        pxs_set_error_errno("cannot open it");
        return -1;
    }
    posix_fadvise(rd->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    if (offset > 0 && lseek(rd->fd, (off_t)offset, SEEK_SET) < 0) {
        pxs_set_error_errno("cannot seek to %llu", (unsigned long long)offset);
        return -1;
    }
    return 0;
}

/* The cause of zlib's last error, without the file name it puts in front. */
static const char *gz_cause(const pxs_logreader *rd, int *errnum)
{
    const char *what = gzerror(rd->gz, errnum);
    size_t n = strlen(rd->path);

    if (strncmp(what, rd->path, n) == 0 && strncmp(what + n, ": ", 2) == 0)
        what += n + 2;
    return what;
}

ssize_t pxs_logreader_read(pxs_logreader *rd, char *buf, size_t n)
{
    if (rd->gz) {
        int errnum, r = gzread(rd->gz, buf, (unsigned)n);
        if (r < 0) {
            const char *what = gz_cause(rd, &errnum);
            if (errnum == Z_ERRNO)
                pxs_set_error_errno("cannot read it");
            else
                pxs_set_error("gzip: %s", what);
            return -1;
        }
        /* zlib hands out what it has of a stream cut short, then reports
         * the end of the input in the middle of it as Z_BUF_ERROR. */
        if (r == 0 && (gzerror(rd->gz, &errnum), errnum == Z_BUF_ERROR)) {
            pxs_set_error("gzip: compressed data cut short (unexpected end of file)");
            return -1;
        }
        return r;
    }
    for (;;) {
        ssize_t r = read(rd->fd, buf, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            pxs_set_error_errno("cannot read it");
        return r;
    }
}

void pxs_logreader_close(pxs_logreader *rd)
{
    if (rd->gz)
        gzclose(rd->gz);
    if (rd->fd >= 0)
        close(rd->fd);
    rd->gz = NULL;
    rd->fd = -1;
}

typedef struct scan_state {
    pxs_filetype ft;
    int want_errors;
    pxs_scan_fn fn;
    void *arg;
    int64_t last_time;     /* time of the last good line, for malformed ones */
    uint64_t offset;       /* file offset of the first byte not consumed */
    uint64_t lines;
} scan_state;

/* One complete line (without '\n'). Returns the sink's verdict. */
static int scan_line(scan_state *s, const char *line, size_t len)
{
    pxs_record r;
    pxs_line_kind kind;
    int rc;

    if (len > 0 && line[len - 1] == '\r')
        len--;
    kind = pxs_logline_parse(line, len, s->ft, s->want_errors, &r);
    if (kind == PXS_LINE_SKIP)
        return 0;
    r.timed = r.time >= 0;
    r.line = s->lines;
    if (kind == PXS_LINE_MALFORMED && !r.timed)
        r.time = s->last_time;
    rc = s->fn(s->arg, kind, &r, s->offset);
    if (rc == 0 && kind != PXS_LINE_MALFORMED)
        s->last_time = r.time;
    return rc;
}

static int report_overlong(scan_state *s)
{
    pxs_record r = {.time = s->last_time, .timed = false, .line = s->lines};

    return s->fn(s->arg, PXS_LINE_MALFORMED, &r, s->offset);
}

/* Hands the sink's verdict on a line back to the scan loop: 0 go on; 1 stop
 * before it; -1 abort (the error names the file). */
static int verdict(int v, const char *path, pxs_scan_result *res)
{
    if (v > 0)
        res->stopped = true;
    if (v < 0)
        pxs_set_error("%s: %s", path, pxs_error());
    return v;
}

/* The time at the start of a partial line, when its first bytes already say it. */
static int64_t tail_time(const char *p, size_t len)
{
    int64_t t;

    return len > PXS_ISO_LEN && p[PXS_ISO_LEN] == ',' && pxs_parse_iso(p, PXS_ISO_LEN, &t) ? t : -1;
}

int pxs_logscan(const char *path, const pxs_scan_opts *o, uint64_t offset, pxs_scan_fn fn,
                void *arg, pxs_scan_result *res)
{
    size_t cap = PXS_LINE_MAX + CHUNK, fill = 0, ask = FIRST_READ;
    char *buf;
    pxs_logreader rd;
    scan_state s = {o->ft, o->want_errors, fn, arg, -1, offset, 0};
    uint64_t at = offset;    /* file offset of buf[0] */
    bool skipping = false;   /* inside a line longer than PXS_LINE_MAX... */
    uint64_t skip_start = 0; /* ...which starts here */
    int rc = 0, v;

    memset(res, 0, sizeof *res);
    res->offset = offset;
    res->tail_time = -1;
    if (pxs_logreader_open(&rd, path, o->gz, offset) != 0) {
        pxs_set_error("%s: %s", path, pxs_error());
        pxs_logreader_close(&rd);
        return -1;
    }
    buf = xmalloc(cap);
    for (;;) {
        ssize_t n = pxs_logreader_read(&rd, buf + fill, cap - fill < ask ? cap - fill : ask);
        char *p = buf, *end, *nl;
        if (n < 0) {
            pxs_set_error("%s: %s", path, pxs_error());
            rc = -1;
            goto done;
        }
        if (n == 0)
            break;
        if (ask < CHUNK)
            ask *= 2;
        fill += (size_t)n;
        end = buf + fill;
        while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
            size_t len = (size_t)(nl - p);
            /* An over-long line is counted once, as malformed, when its end
             * is seen: a run that stops inside it counts nothing. */
            s.offset = skipping ? skip_start : at + (uint64_t)(p - buf);
            if (skipping || len > PXS_LINE_MAX)
                v = verdict(report_overlong(&s), path, res);
            else
                v = verdict(scan_line(&s, p, len), path, res);
            if (v != 0) {
                rc = v < 0 ? -1 : 0;
                goto done;
            }
            skipping = false;
            s.lines++;
            p = nl + 1;
        }
        fill = (size_t)(end - p);
        if (skipping || fill > PXS_LINE_MAX) {
            /* Too long to hold: drop what we have of it, remember where it began. */
            if (!skipping)
                skip_start = at + (uint64_t)(p - buf);
            skipping = true;
            at += (uint64_t)(end - buf);
            fill = 0;
        } else {
            at += (uint64_t)(p - buf);
            memmove(buf, p, fill);
        }
    }
    /* End of file: a last line without '\n' (being written, or over-long). */
    s.offset = skipping ? skip_start : at;
    if (!skipping && fill == 0)
        goto done;
    if (!o->final) {
        /* Left for a later run, the offset before it. */
        res->tail_len = skipping ? at - skip_start + fill : fill;
        res->tail_time = skipping ? -1 : tail_time(buf, fill);
        goto done;
    }
    /* A file no longer written ends where it ends. */
    v = verdict(skipping || fill > PXS_LINE_MAX ? report_overlong(&s) : scan_line(&s, buf, fill),
                path, res);
    if (v != 0) {
        rc = v < 0 ? -1 : 0;
        goto done;
    }
    s.lines++;
    s.offset = at + fill;
done:
    res->offset = s.offset;
    res->lines = s.lines;
    free(buf);
    pxs_logreader_close(&rd);
    return rc;
}

int pxs_logscan_file(const char *path, bool gz, uint64_t offset, pxs_filetype ft, int want_errors,
                     pxs_scan_fn fn, void *arg, pxs_scan_result *res)
{
    pxs_scan_opts o = {.ft = ft, .want_errors = want_errors, .gz = gz, .final = false};

    return pxs_logscan(path, &o, offset, fn, arg, res);
}
