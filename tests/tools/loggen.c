/* loggen — a deterministic generator of sample PX transfer logs.
 *
 * Writes, per machine, tx_<client>.log and rx_<source>.log with the files a
 * midnight rotation leaves beside them (<name>.YYYY-MM-DD, 5 kept), in the
 * line formats of DESIGN.md §3 (reference/original-behaviour.md §1). The
 * tests, `make demo` and bench/ use it; tests/tools/pxcheck.py computes the
 * expected statistics of its output independently.
 *
 * Determinism: every (seed, machine, fileType, name, hour) has its own random
 * stream, so the same options give byte-identical files (gzip headers carry
 * no time), and the lines of an hour do not depend on the window asked for:
 * a shorter run's live file is a prefix of a longer run's (same day, no
 * --bytes-target), which is what "a log growing between runs" needs.
 *
 * Libc and zlib only, so that it builds before the library exists. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#define DAY_S 86400
#define HOUR_S 3600
#define KEPT_ROTATED 5
#define OUTBUF (1u << 20)

static const char *progname = "loggen";

static void usage(FILE *f)
{
    fprintf(f,
        "usage: loggen --logdir DIR [--machines M1,M2] [--clients N | --names A,B]\n"
        "              [--sources N | --source-names A,B] [--start \"YYYY-MM-DD HH:MM:SS\"]\n"
        "              [--days D | --hours H] [--rate LINES_PER_HOUR | --bytes-target SIZE]\n"
        "              [--seed S] [--gzip-rotated] [--noise] [--misleading-names]\n"
        "              [--subdirs] [--disorder SECONDS] [--truth FILE] [-q] [-h]\n"
        "\n"
        "Writes PX logs for the window [start, start + D days or H hours), UTC.\n"
        "  --logdir DIR         output directory (made with its parents); with several\n"
        "                       machines (or --subdirs) each writes DIR/<machine>/\n"
        "  --machines LIST      machine names (default pds1)\n"
        "  --clients N          tx clients named client001.. (default 3); --names gives them\n"
        "  --sources N          rx sources named source001.. (default 1); --source-names too\n"
        "  --start DATE         window start (default \"2026-01-10 00:00:00\")\n"
        "  --days D, --hours H  window length (default 1 day)\n"
        "  --rate N             mean lines per hour and log file (default 600)\n"
        "  --bytes-target SIZE  choose the rate so that all logs total about SIZE (K, M, G)\n"
        "  --seed S             random seed (default 1)\n"
        "  --gzip-rotated       gzip the rotated files older than the newest one (.gz)\n"
        "  --noise              add ERROR, WARNING, SEND TIMEOUT, Segment, Bytes/sec, DEBUG,\n"
        "                       traceback, malformed, empty, NUL and very long lines, and\n"
        "                       silent minutes and hours\n"
        "  --misleading-names   name rotated files with dates that do not match their\n"
        "                       content (shifted, swapped, 2000-01-01, two days in one)\n"
        "  --subdirs            DIR/<machine>/ even for one machine\n"
        "  --disorder SECONDS   lines out of order: one in five is dated up to SECONDS\n"
        "                       before the moment it is written (threads that took the time,\n"
        "                       then waited), also across hours and midnight rotations\n"
        "  --truth FILE         write what each counted line holds, one line each:\n"
        "                       \"MACHINE FT_NAME EPOCH D BYTES LATENCY\" for a file delivered\n"
        "                       or ingested (latency clamped at 0; 0 for rx),\n"
        "                       \"MACHINE FT_NAME EPOCH E\" for an [ERROR] line\n"
        "  -q                   no summary on stderr\n"
        "Files: the live <tx|rx>_<name>.log holds the last day of the window; each earlier\n"
        "day is in <name>.log.YYYY-MM-DD (the day of its lines); days older than the 5\n"
        "rotated files a PX host keeps are not written. Lines are time-ordered per file.\n");
}

/* ---- options ---------------------------------------------------------- */

typedef struct names {
    char **v;
    size_t n;
} names;

typedef struct gen_opts {
    const char *logdir;
    names machines, clients, sources;
    int64_t start, end;        /* epoch seconds, [start, end) */
    double rate;               /* lines per hour and file */
    uint64_t seed;
    uint64_t bytes_target;
    bool gzip_rotated, noise, misleading, subdirs, quiet;
    long disorder_s;           /* --disorder: the most a line's time is behind its writing */
} gen_opts;

static _Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void die(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    fprintf(stderr, "%s: ", progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", strerror(saved));
    exit(1);
}

static void *xmem(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "%s: out of memory\n", progname);
        exit(1);
    }
    return p;
}

static char *xdup(const char *s)
{
    char *d = xmem(strlen(s) + 1);
    memcpy(d, s, strlen(s) + 1);
    return d;
}

static bool name_ok(const char *s)
{
    if (!*s || s[0] == '.')
        return false;
    for (; *s; s++)
        if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

static bool split_names(const char *list, names *out)
{
    char *copy = xdup(list), *save = NULL;
    out->n = 0;
    out->v = xmem(sizeof(char *) * (strlen(list) + 1));
    bool ok = true;
    for (char *t = strtok_r(copy, ",", &save); t && ok; t = strtok_r(NULL, ",", &save)) {
        ok = name_ok(t);
        if (ok)
            out->v[out->n++] = xdup(t);
    }
    free(copy);
    return ok && out->n > 0;
}

static void free_names(names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static void numbered_names(const char *prefix, long n, names *out)
{
    out->n = (size_t)n;
    out->v = xmem(sizeof(char *) * (size_t)(n + 1));
    for (long i = 0; i < n; i++) {
        out->v[i] = xmem(strlen(prefix) + 24);
        sprintf(out->v[i], "%s%03ld", prefix, i + 1);
    }
}

static bool parse_long(const char *s, long lo, long hi, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (errno || end == s || *end || x < lo || x > hi)
        return false;
    *v = x;
    return true;
}

static bool parse_size(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || x <= 0)
        return false;
    double mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1e3; end++; break;
    case 'm': case 'M': mult = 1e6; end++; break;
    case 'g': case 'G': mult = 1e9; end++; break;
    case '\0': break;
    default: return false;
    }
    if (*end)
        return false;
    *v = (uint64_t)(x * mult);
    return true;
}

/* ---- time ------------------------------------------------------------- */

/* Days since the epoch of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static bool parse_date(const char *s, int64_t *t)
{
    int y, mo, d, h = 0, mi = 0, se = 0, n = 0;
    size_t len = strlen(s);
    if (len == 10 && sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
        /* midnight */
    } else if (len != 19 || sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 ||
               n != 19) {
        return false;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
        return false;
    *t = days_from_civil(y, mo, d) * DAY_S + h * HOUR_S + mi * 60 + se;
    return true;
}

/* ---- random numbers --------------------------------------------------- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t next64(rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

static double uniform(rng *r)   /* [0, 1) */
{
    return (double)(next64(r) >> 11) * 0x1.0p-53;
}

static long pick(rng *r, long lo, long hi)   /* [lo, hi] */
{
    return lo + (long)(next64(r) % (uint64_t)(hi - lo + 1));
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return mix64(h ^ 0xff);
}

/* ---- output ----------------------------------------------------------- */

/* A buffered sink: a plain file, a gzip file, or nothing (measuring). */
typedef struct writer {
    char *buf;
    size_t len;
    int fd;
    gzFile gz;
    char path[PATH_MAX];
    uint64_t bytes, lines;
    FILE *truth;               /* --truth: what each counted line holds */
    char tag[PATH_MAX];        /* "<machine> <ft>_<name>" in the truth lines */
    int64_t cached_sec;        /* second whose text is in stamp */
    char stamp[20];
    int64_t last_time;         /* of the last line, for the file's mtime */
} writer;

static void w_flush(writer *w)
{
    if (w->gz) {
        if (w->len && gzwrite(w->gz, w->buf, (unsigned)w->len) != (int)w->len)
            die("%s: gzip write failed", w->path);
    } else if (w->fd >= 0) {
        size_t off = 0;
        while (off < w->len) {
            ssize_t n = write(w->fd, w->buf + off, w->len - off);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                die("%s: write failed", w->path);
            off += (size_t)n;
        }
    }
    w->bytes += w->len;
    w->len = 0;
}

static void w_mem(writer *w, const char *p, size_t n)
{
    while (n) {
        if (w->len == OUTBUF)
            w_flush(w);
        size_t k = OUTBUF - w->len < n ? OUTBUF - w->len : n;
        memcpy(w->buf + w->len, p, k);
        w->len += k;
        p += k;
        n -= k;
    }
}

static void w_str(writer *w, const char *s)
{
    w_mem(w, s, strlen(s));
}

static void w_chr(writer *w, char c)
{
    if (w->len == OUTBUF)
        w_flush(w);
    w->buf[w->len++] = c;
}

static void w_uint(writer *w, uint64_t v)
{
    char tmp[24];
    int i = 24;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    w_mem(w, tmp + i, (size_t)(24 - i));
}

static void w_pad(writer *w, uint64_t v, int width)   /* zero-padded */
{
    char tmp[24];
    for (int i = width - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + v % 10);
        v /= 10;
    }
    w_mem(w, tmp, (size_t)width);
}

static void w_open(writer *w, const char *path, bool gz)
{
    snprintf(w->path, sizeof w->path, "%s", path);
    w->len = 0;
    w->cached_sec = INT64_MIN;
    w->last_time = 0;
    w->gz = NULL;
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (w->fd < 0)
        die("%s: cannot create", path);
    if (gz) {
        /* gzdopen writes a header without a time stamp: same seed, same bytes. */
        w->gz = gzdopen(w->fd, "wb6");
        if (!w->gz)
            die("%s: gzdopen failed", path);
    }
}

static void w_close(writer *w)
{
    w_flush(w);
    if (w->gz) {
        if (gzclose(w->gz) != Z_OK)
            die("%s: gzip close failed", w->path);
    } else if (w->fd >= 0 && close(w->fd) != 0) {
        die("%s: close failed", w->path);
    }
    if (w->fd >= 0) {
        /* The mtime a real log would have: its last line. */
        struct timespec ts[2] = {{(time_t)w->last_time, 0}, {(time_t)w->last_time, 0}};
        utimensat(AT_FDCWD, w->path, ts, 0);
    }
    w->fd = -1;
    w->gz = NULL;
}

/* "YYYY-MM-DD HH:MM:SS" of t, kept for the lines of the same second. */
static const char *stamp(writer *w, int64_t t)
{
    if (t != w->cached_sec) {
        int y, m, d;
        int64_t day = floor_div(t, DAY_S), sod = t - day * DAY_S;
        civil_from_days(day, &y, &m, &d);
        int v[6] = {y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60)};
        char *s = w->stamp;
        for (int i = 0; i < 6; i++) {
            int width = i == 0 ? 4 : 2;
            for (int k = width - 1; k >= 0; k--, v[i] /= 10)
                s[k] = (char)('0' + v[i] % 10);
            s += width;
            *s++ = i == 2 ? ' ' : i < 2 ? '-' : ':';
        }
        w->stamp[19] = '\0';
        w->cached_sec = t;
    }
    return w->stamp;
}

/* ---- what the lines say ------------------------------------------------ */

static const char *const TT[] = {"SA", "SM", "FT", "FC", "SX", "UA", "WW", "FX", "SN", "US", "TT", "IU"};
static const char *const AA[] = {"CN", "US", "UK", "FR", "MX", "WO", "XX"};
static const char *const SITES[] = {"CWAO", "KWBC", "EGRR", "LFPW", "CWUL", "CWVR", "KWNB", "CYHZ"};
static const char *const SYSTEMS[] = {"file", "ncp1", "ncp2", "amis", "wxo"};
static const char *const HOSTS[] = {"wxo-b1", "pds-ftp", "urp-1", "nws-ftp", "cmc-ops"};

/* A log's character, drawn once per name. */
typedef struct profile {
    bool rx;
    bool filesender;          /* tx "File ... delivered to" rather than "Bulletin ... delivered" */
    const char *name;
    size_t ntt;
    const char *tt[4];
    const char *host;
    int lie;                  /* which --misleading-names lie its rotated files tell */
} profile;

static void make_profile(profile *p, uint64_t seed, bool rx, const char *name)
{
    rng r = {hash_str(seed ^ (rx ? 0x7278 : 0x7478), name)};
    p->rx = rx;
    p->name = name;
    p->filesender = !rx && (next64(&r) & 1);
    p->ntt = (size_t)pick(&r, 1, 4);
    for (size_t i = 0; i < p->ntt; i++)
        p->tt[i] = TT[next64(&r) % (sizeof TT / sizeof *TT)];
    p->host = HOSTS[next64(&r) % (sizeof HOSTS / sizeof *HOSTS)];
}

typedef struct product {
    const char *tt, *aa, *site, *sys;
    int ii, prio, seq;
    int64_t recv;             /* reception time: the 7th colon field */
} product;

static void draw_product(rng *r, const profile *p, int64_t t, product *pr)
{
    pr->tt = p->tt[next64(r) % p->ntt];
    pr->aa = AA[next64(r) % (sizeof AA / sizeof *AA)];
    pr->site = SITES[next64(r) % (sizeof SITES / sizeof *SITES)];
    pr->sys = SYSTEMS[next64(r) % (sizeof SYSTEMS / sizeof *SYSTEMS)];
    pr->ii = (int)pick(r, 10, 99);
    pr->seq = (int)pick(r, 0, 9999);
    pr->prio = uniform(r) < 0.8 ? 3 : (int)pick(r, 1, 5);
    /* Reception before delivery by a few seconds, sometimes more than the
     * 15 s threshold (and exactly at it), rarely over a day (no wrap) or in
     * the future (negative latency, clamped to 0). */
    double u = uniform(r);
    int64_t delay;
    if (p->rx)
        delay = u < 0.7 ? 0 : 1;
    else if (u < 0.86)
        delay = pick(r, 0, 8);
    else if (u < 0.90)
        delay = pick(r, 9, 14);
    else if (u < 0.92)
        delay = pick(r, 15, 16);
    else if (u < 0.975)
        delay = pick(r, 17, 600);
    else if (u < 0.985)
        delay = pick(r, 86400, 3 * 86400);
    else
        delay = -pick(r, 1, 300);
    pr->recv = t - delay;
}

static void w_compact(writer *w, int64_t t, bool with_time)   /* YYYYMMDD[hhmmss] */
{
    int y, m, d;
    int64_t day = floor_div(t, DAY_S), sod = t - day * DAY_S;
    civil_from_days(day, &y, &m, &d);
    w_pad(w, (uint64_t)y % 10000, 4);
    w_pad(w, (uint64_t)m, 2);
    w_pad(w, (uint64_t)d, 2);
    if (with_time) {
        w_pad(w, (uint64_t)(sod / 3600), 2);
        w_pad(w, (uint64_t)(sod / 60 % 60), 2);
        w_pad(w, (uint64_t)(sod % 60), 2);
    }
}

/* what:system:site:type:priority:format:YYYYMMDDhhmmss */
static void w_ingest(writer *w, const product *pr)
{
    int64_t day = floor_div(pr->recv, DAY_S), sod = pr->recv - day * DAY_S;
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    w_str(w, pr->tt);
    w_str(w, pr->aa);
    w_pad(w, (uint64_t)pr->ii, 2);
    w_chr(w, '_');
    w_str(w, pr->site);
    w_chr(w, '_');
    w_pad(w, (uint64_t)d, 2);
    w_pad(w, (uint64_t)(sod / 3600), 2);
    w_pad(w, (uint64_t)(sod / 60 % 60), 2);
    w_str(w, "___");
    w_pad(w, pr->seq, 4);
    w_chr(w, ':');
    w_str(w, pr->sys);
    w_chr(w, ':');
    w_str(w, pr->site);
    w_chr(w, ':');
    w_str(w, pr->tt);
    w_chr(w, ':');
    w_uint(w, (uint64_t)pr->prio);
    w_str(w, ":Direct:");
    w_compact(w, pr->recv, true);
}

static void w_head(writer *w, int64_t ms, const char *level)   /* "time,mmm [LEVEL] " */
{
    int64_t t = floor_div(ms, 1000);
    w_mem(w, stamp(w, t), 19);
    w_chr(w, ',');
    w_pad(w, (uint64_t)(ms - t * 1000), 3);
    w_str(w, level);
    w->last_time = t;
}

static uint64_t draw_bytes(rng *r)
{
    double u = uniform(r);
    if (u < 0.70)
        return (uint64_t)pick(r, 60, 2000);
    if (u < 0.95)
        return (uint64_t)pick(r, 2001, 100000);
    return (uint64_t)pick(r, 100001, 5000000);
}

static void w_txq_path(writer *w, const profile *p, const product *pr)
{
    w_str(w, "/apps/px/txq/");
    w_str(w, p->name);
    w_chr(w, '/');
    w_uint(w, (uint64_t)pr->prio);
    w_chr(w, '/');
    w_compact(w, pr->recv, false);
    int64_t sod = pr->recv - floor_div(pr->recv, DAY_S) * DAY_S;
    w_pad(w, (uint64_t)(sod / 3600), 2);
    w_chr(w, '/');
}

static void w_data(writer *w, rng *r, profile *p, int64_t ms)
{
    product pr;
    int64_t t = floor_div(ms, 1000);
    draw_product(r, p, t, &pr);
    uint64_t nbytes = draw_bytes(r);
    if (w->truth)
        fprintf(w->truth, "%s %lld D %llu %lld\n", w->tag, (long long)t, (unsigned long long)nbytes,
                (long long)(p->rx || pr.recv > t ? 0 : t - pr.recv));
    w_head(w, ms, " [INFO] (");
    w_uint(w, nbytes);
    if (p->rx) {
        w_str(w, " Bytes) Ingested in DB as /apps/px/db/");
        w_compact(w, floor_div(ms, 1000), false);
        w_chr(w, '/');
        w_str(w, pr.tt);
        w_chr(w, '/');
        w_str(w, pr.sys);
        w_chr(w, '/');
        w_str(w, pr.site);
        w_chr(w, '/');
        w_ingest(w, &pr);
    } else if (p->filesender) {
        w_str(w, " Bytes) File ");
        w_txq_path(w, p, &pr);
        w_ingest(w, &pr);
        w_str(w, " delivered to ftp://pds@");
        w_str(w, p->host);
        w_str(w, ":/data/in/");
    } else {
        w_str(w, " Bytes) Bulletin ");
        w_ingest(w, &pr);
        w_str(w, "  delivered");
    }
    w_chr(w, '\n');
    w->lines++;
}

enum noise {
    N_DATA, N_ERROR, N_ERROR_BYTES, N_WARNING, N_TIMEOUT_WARN, N_TIMEOUT_INFO, N_SEGMENT,
    N_RATE, N_DEBUG, N_INFO_PLAIN, N_TRACEBACK, N_BAD_BYTES, N_BAD_TIME, N_BAD_INGEST,
    N_EMPTY, N_NUL, N_LONG
};

/* Cumulative probabilities of the noise kinds; the rest is data. */
static const struct {
    double p;
    enum noise kind;
} NOISE[] = {
    {0.015, N_ERROR}, {0.005, N_ERROR_BYTES}, {0.015, N_WARNING}, {0.006, N_TIMEOUT_WARN},
    {0.002, N_TIMEOUT_INFO}, {0.012, N_SEGMENT}, {0.012, N_RATE}, {0.02, N_DEBUG},
    {0.02, N_INFO_PLAIN}, {0.004, N_TRACEBACK}, {0.002, N_BAD_BYTES}, {0.002, N_BAD_TIME},
    {0.002, N_BAD_INGEST}, {0.002, N_EMPTY}, {0.0005, N_NUL}, {0.00003, N_LONG},
};

static enum noise draw_kind(rng *r)
{
    double u = uniform(r), acc = 0;
    for (size_t i = 0; i < sizeof NOISE / sizeof *NOISE; i++) {
        acc += NOISE[i].p;
        if (u < acc)
            return NOISE[i].kind;
    }
    return N_DATA;
}

static void w_noise(writer *w, rng *r, profile *p, int64_t ms, enum noise kind)
{
    if (kind == N_DATA) {
        w_data(w, r, p, ms);
        return;
    }
    product pr;
    draw_product(r, p, floor_div(ms, 1000), &pr);
    if (w->truth && (kind == N_ERROR || kind == N_ERROR_BYTES || kind == N_TRACEBACK))
        fprintf(w->truth, "%s %lld E\n", w->tag, (long long)floor_div(ms, 1000));
    switch (kind) {
    case N_DATA:
        break;
    case N_ERROR:
        w_head(w, ms, " [ERROR] Unable to connect to ");
        w_str(w, p->host);
        w_str(w, ": Connection refused");
        break;
    case N_ERROR_BYTES:   /* an error that mentions bytes: an error, not a file */
        w_head(w, ms, " [ERROR] (");
        w_uint(w, draw_bytes(r));
        w_str(w, " Bytes) File ");
        w_txq_path(w, p, &pr);
        w_ingest(w, &pr);
        w_str(w, " not delivered: 550 Permission denied");
        break;
    case N_WARNING:
        w_head(w, ms, " [WARNING] Queue of ");
        w_str(w, p->name);
        w_str(w, " holds ");
        w_uint(w, (uint64_t)pick(r, 100, 9000));
        w_str(w, " files");
        break;
    case N_TIMEOUT_WARN:
    case N_TIMEOUT_INFO:
        w_head(w, ms, kind == N_TIMEOUT_WARN ? " [WARNING] SEND TIMEOUT (" : " [INFO] SEND TIMEOUT (");
        w_uint(w, draw_bytes(r));
        w_str(w, " Bytes) File ");
        w_txq_path(w, p, &pr);
        w_ingest(w, &pr);
        break;
    case N_SEGMENT:
        w_head(w, ms, " [INFO] (");
        w_uint(w, (uint64_t)pick(r, 100, 15000));
        w_str(w, " Bytes) Bulletin Segment number ");
        w_uint(w, (uint64_t)pick(r, 1, 9));
        w_str(w, " sent");
        break;
    case N_RATE:
        w_head(w, ms, " [INFO] (");
        w_uint(w, draw_bytes(r));
        w_str(w, " Bytes) sent in ");
        w_uint(w, (uint64_t)pick(r, 1, 9));
        w_str(w, " s, ");
        w_uint(w, (uint64_t)pick(r, 1000, 900000));
        w_str(w, " Bytes/sec");
        break;
    case N_DEBUG:
        w_head(w, ms, " [DEBUG] (");
        w_uint(w, draw_bytes(r));
        w_str(w, " Bytes) read from /apps/px/rxq/");
        w_str(w, p->name);
        w_chr(w, '/');
        w_ingest(w, &pr);
        break;
    case N_INFO_PLAIN:
        w_head(w, ms, " [INFO] Connection to ");
        w_str(w, p->host);
        w_str(w, " established");
        break;
    case N_TRACEBACK:     /* Python's logger.exception: an ERROR line, then untagged text */
        w_head(w, ms, " [ERROR] Exception while sending: [Errno 104] Connection reset by peer\n");
        w_str(w, "Traceback (most recent call last):\n"
                 "  File \"/apps/px/lib/SenderFTP.py\", line 288, in send\n"
                 "    self.logger.info(\"[INFO] (%i Bytes) File %s delivered\" % (nbBytes, name))\n"
                 "  File \"/usr/lib/python2.4/ftplib.py\", line 420, in storbinary\n"
                 "    conn.sendall(buf)\n"
                 "error: (104, 'Connection reset by peer (4096 Bytes) [INFO]')");
        w->lines += 6;
        break;
    case N_BAD_BYTES:
        w_head(w, ms, " [INFO] (abc Bytes) Bulletin ");
        w_ingest(w, &pr);
        w_str(w, "  delivered");
        break;
    case N_BAD_TIME: {    /* a timestamp cut short: the seconds are lost */
        char head[20];
        memcpy(head, stamp(w, floor_div(ms, 1000)), 19);
        w_mem(w, head, 16);
        w_str(w, ",");
        w_pad(w, (uint64_t)(ms % 1000), 3);
        w_str(w, " [INFO] (");
        w_uint(w, draw_bytes(r));
        w_str(w, p->rx ? " Bytes) Ingested in DB as /apps/px/db/x/" : " Bytes) Bulletin ");
        w_ingest(w, &pr);
        if (!p->rx)
            w_str(w, "  delivered");
        break;
    }
    case N_BAD_INGEST:    /* tx: no reception time in the name; rx: "(12x Bytes)" */
        w_head(w, ms, " [INFO] (");
        w_uint(w, draw_bytes(r));
        if (p->rx) {
            w_str(w, "x Bytes) Ingested in DB as /apps/px/db/");
            w_compact(w, floor_div(ms, 1000), false);
            w_str(w, "/SA/file/CWAO/");
            w_ingest(w, &pr);
        } else {
            w_str(w, " Bytes) Bulletin ");
            w_str(w, pr.tt);
            w_str(w, "CN99_CWAO:file:CWAO:");
            w_str(w, pr.tt);
            w_str(w, "  delivered");
        }
        break;
    case N_EMPTY:
        break;
    case N_NUL:
        w_head(w, ms, " [WARNING] garbage on socket: ");
        w_mem(w, "ab\0cd\0", 6);
        break;
    case N_LONG: {
        w_head(w, ms, " [DEBUG] dump: ");
        long n = pick(r, 100000, 1000000);   /* "a 1 MB line", below 1 MiB */
        for (long i = 0; i < n; i++)
            w_chr(w, (char)('a' + i % 26));
        break;
    }
    }
    w_chr(w, '\n');
    w->lines++;
}

/* ---- one log file ------------------------------------------------------ */

/* One hour of one log, [from, to) within it, from the hour's own stream. */
static void gen_hour(writer *w, const gen_opts *o, profile *p, uint64_t logseed, int64_t hour,
                     int64_t from, int64_t to, double rate)
{
    rng r = {mix64(logseed ^ (uint64_t)hour * 0x9e3779b97f4a7c15ULL)};
    /* A daily rhythm around the mean rate. */
    double mult = 0.4 + 1.2 * uniform(&r);
    bool silent_hour = uniform(&r) < 0.02;
    if (rate <= 0 || (o->noise && silent_hour))
        return;
    double mean_ms = 3600000.0 / (rate * mult);
    double t = (double)hour * 1000;
    int64_t silent_minute = -1;
    uint64_t minute_seen = UINT64_MAX;
    for (;;) {
        t += -log(1.0 - uniform(&r)) * mean_ms;
        /* Each event draws from its own stream: skipping one (before the
         * window, in a silent minute) leaves the others unchanged. */
        rng ev = {next64(&r)};
        int64_t ms = (int64_t)t;
        if (ms >= to * 1000)
            break;
        if (ms < from * 1000)
            continue;
        if (o->noise) {
            uint64_t minute = (uint64_t)floor_div(ms, 60000);
            if (minute != minute_seen) {
                minute_seen = minute;
                silent_minute = mix64(logseed ^ minute) % 25 == 0 ? (int64_t)minute : -1;
            }
            if ((int64_t)minute == silent_minute)
                continue;
        }
        if (o->disorder_s > 0) {
            /* From a stream of its own: the lines stay those without it. */
            rng late = {next64(&ev) ^ 0x6c617465};
            if (uniform(&late) < 0.2)
                ms -= (int64_t)(uniform(&late) * (double)o->disorder_s * 1000.0);
        }
        w_noise(w, &ev, p, ms, o->noise ? draw_kind(&ev) : N_DATA);
    }
}

/* The file name of the log's day k (0 = the live file, 1 = yesterday, ...),
 * kmax = the oldest day written. */
static void day_path(const gen_opts *o, const char *dir, const profile *p, int64_t last_day, int k,
                     int kmax, char *path, size_t size)
{
    const char *ft = p->rx ? "rx" : "tx";
    if (k == 0) {
        snprintf(path, size, "%s/%s_%s.log", dir, ft, p->name);
        return;
    }
    int64_t named = last_day - k * DAY_S;
    int keff = k;
    if (o->misleading && kmax >= 1) {
        switch (p->lie) {
        case 0: named -= DAY_S; break;                                     /* shifted a day back */
        case 1: if (kmax >= 2 && k <= 2) named = last_day - (3 - k) * DAY_S; break;   /* swapped */
        case 2: if (k == kmax) named = days_from_civil(2000, 1, 1) * DAY_S;           /* stale name */
                else if (k == 1) named = last_day + DAY_S;                  /* dated tomorrow */
                break;
        default: if (k == 2) { keff = 1; named = last_day - DAY_S; } break;  /* no rotation one night */
        }
    }
    int y, m, d;
    civil_from_days(floor_div(named, DAY_S), &y, &m, &d);
    bool gz = o->gzip_rotated && keff >= 2;
    snprintf(path, size, "%s/%s_%s.log.%04d-%02d-%02d%s", dir, ft, p->name, y, m, d, gz ? ".gz" : "");
}

typedef struct totals {
    uint64_t files, lines, bytes, logs;
} totals;

static void gen_log(const gen_opts *o, const char *machine, const char *dir, bool rx, const char *name,
                    double rate, writer *w, totals *tot)
{
    profile p;
    make_profile(&p, o->seed, rx, name);
    /* The lies go round the logs in turn: any four logs show them all. */
    p.lie = (int)(tot->logs++ % 4);
    uint64_t logseed = hash_str(hash_str(hash_str(o->seed, machine), rx ? "rx" : "tx"), name);
    snprintf(w->tag, sizeof w->tag, "%s %s_%s", machine, rx ? "rx" : "tx", name);
    int64_t first_day = floor_div(o->start, DAY_S) * DAY_S;
    int64_t last_day = floor_div(o->end - 1, DAY_S) * DAY_S;
    int kmax = (int)((last_day - first_day) / DAY_S);
    if (kmax > KEPT_ROTATED)
        kmax = KEPT_ROTATED;
    char path[PATH_MAX] = "", prev[PATH_MAX] = "";
    for (int k = kmax; k >= 0; k--) {
        int64_t day = last_day - (int64_t)k * DAY_S;
        day_path(o, dir, &p, last_day, k, kmax, path, sizeof path);
        if (strcmp(path, prev) != 0) {
            if (prev[0])
                w_close(w);
            w_open(w, path, strlen(path) > 3 && strcmp(path + strlen(path) - 3, ".gz") == 0);
            memcpy(prev, path, sizeof prev);
            tot->files++;
        }
        int64_t from = o->start > day ? o->start : day;
        int64_t to = o->end < day + DAY_S ? o->end : day + DAY_S;
        for (int64_t h = floor_div(from, HOUR_S) * HOUR_S; h < to; h += HOUR_S)
            gen_hour(w, o, &p, logseed, h, from > h ? from : h, to < h + HOUR_S ? to : h + HOUR_S, rate);
    }
    w_close(w);
    tot->lines += w->lines;
    tot->bytes += w->bytes;
    w->lines = w->bytes = 0;
}

/* Mean line length of a log, measured on a few generated hours without
 * writing: it turns --bytes-target into a rate. */
static double mean_line(const gen_opts *o, bool rx, const char *name, writer *w)
{
    profile p;
    make_profile(&p, o->seed, rx, name);
    w->fd = -1;
    w->gz = NULL;
    w->cached_sec = INT64_MIN;
    uint64_t b0 = w->bytes, l0 = w->lines;
    for (int h = 0; h < 4; h++)
        gen_hour(w, o, &p, hash_str(o->seed, name), o->start + h * HOUR_S, o->start + h * HOUR_S,
                 o->start + (h + 1) * HOUR_S, 2000);
    w_flush(w);
    double m = w->lines > l0 ? (double)(w->bytes - b0) / (double)(w->lines - l0) : 150;
    w->bytes = b0;
    w->lines = l0;
    return m;
}

static double rate_for_target(const gen_opts *o, writer *w)
{
    double per_rate = 0;    /* bytes written per unit of rate */
    int64_t last_day = floor_div(o->end - 1, DAY_S) * DAY_S;
    int64_t from = o->start > last_day - KEPT_ROTATED * DAY_S ? o->start : last_day - KEPT_ROTATED * DAY_S;
    double hours = (double)(o->end - from) / HOUR_S;
    for (size_t i = 0; i < o->clients.n; i++)
        per_rate += mean_line(o, false, o->clients.v[i], w) * hours;
    for (size_t i = 0; i < o->sources.n; i++)
        per_rate += mean_line(o, true, o->sources.v[i], w) * hours;
    per_rate *= (double)o->machines.n;
    /* Silent hours (2 %) and minutes (4 %) are not in the measured hours. */
    if (o->noise)
        per_rate *= 0.98 * 0.96;
    return per_rate > 0 ? (double)o->bytes_target / per_rate : 0;
}

static void free_opts(gen_opts *o)
{
    free_names(&o->machines);
    free_names(&o->clients);
    free_names(&o->sources);
}

static void make_dir(const char *path)   /* as mkdir -p */
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *s = tmp + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            die("%s: cannot create directory", tmp);
        *s = '/';
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        die("%s: cannot create directory", tmp);
}

int main(int argc, char **argv)
{
    gen_opts o = {.rate = 600, .seed = 1};
    const char *start = "2026-01-10 00:00:00", *truth = NULL;
    long nclients = 3, nsources = 1, days = 1, hours = 0;
    bool named_clients = false, named_sources = false;
    enum { O_MACH = 256, O_CLI, O_NAMES, O_SRC, O_SRCNAMES, O_START, O_DAYS, O_HOURS, O_RATE,
           O_SEED, O_GZ, O_NOISE, O_MISL, O_TARGET, O_SUBDIRS, O_LOGDIR, O_TRUTH, O_DISORDER };
    static const struct option lo[] = {
        {"logdir", required_argument, NULL, O_LOGDIR}, {"machines", required_argument, NULL, O_MACH},
        {"clients", required_argument, NULL, O_CLI}, {"names", required_argument, NULL, O_NAMES},
        {"sources", required_argument, NULL, O_SRC}, {"source-names", required_argument, NULL, O_SRCNAMES},
        {"start", required_argument, NULL, O_START}, {"days", required_argument, NULL, O_DAYS},
        {"hours", required_argument, NULL, O_HOURS}, {"rate", required_argument, NULL, O_RATE},
        {"seed", required_argument, NULL, O_SEED}, {"gzip-rotated", no_argument, NULL, O_GZ},
        {"noise", no_argument, NULL, O_NOISE}, {"misleading-names", no_argument, NULL, O_MISL},
        {"bytes-target", required_argument, NULL, O_TARGET}, {"subdirs", no_argument, NULL, O_SUBDIRS},
        {"truth", required_argument, NULL, O_TRUTH},
        {"disorder", required_argument, NULL, O_DISORDER},
        {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
    };
    split_names("pds1", &o.machines);
    int c;
    long v;
    while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
        bool bad = false;
        switch (c) {
        case O_LOGDIR: o.logdir = optarg; break;
        case O_MACH: free_names(&o.machines); bad = !split_names(optarg, &o.machines); break;
        case O_CLI: bad = !parse_long(optarg, 0, 100000, &nclients); break;
        case O_NAMES: free_names(&o.clients); bad = !split_names(optarg, &o.clients); named_clients = true; break;
        case O_SRC: bad = !parse_long(optarg, 0, 100000, &nsources); break;
        case O_SRCNAMES: free_names(&o.sources); bad = !split_names(optarg, &o.sources); named_sources = true; break;
        case O_START: start = optarg; break;
        case O_DAYS: bad = !parse_long(optarg, 1, 100000, &days); hours = 0; break;
        case O_HOURS: bad = !parse_long(optarg, 1, 2400000, &hours); break;
        case O_RATE: bad = !parse_long(optarg, 0, 100000000, &v); o.rate = (double)v; break;
        case O_SEED: bad = !parse_long(optarg, 0, LONG_MAX, &v); o.seed = (uint64_t)v; break;
        case O_GZ: o.gzip_rotated = true; break;
        case O_NOISE: o.noise = true; break;
        case O_MISL: o.misleading = true; break;
        case O_TARGET: bad = !parse_size(optarg, &o.bytes_target); break;
        case O_SUBDIRS: o.subdirs = true; break;
        case O_TRUTH: truth = optarg; break;
        case O_DISORDER: bad = !parse_long(optarg, 0, 86400, &o.disorder_s); break;
        case 'q': o.quiet = true; break;
        case 'h': usage(stdout); free_opts(&o); return 0;
        default: usage(stderr); free_opts(&o); return 2;
        }
        if (bad) {
            fprintf(stderr, "%s: bad argument '%s'\n", progname, optarg);
            usage(stderr);
            free_opts(&o);
            return 2;
        }
    }
    if (optind != argc || !o.logdir || !parse_date(start, &o.start)) {
        fprintf(stderr, "%s: %s\n", progname, optind != argc ? "unexpected argument" :
                !o.logdir ? "--logdir is required" : "bad --start date");
        usage(stderr);
        free_opts(&o);
        return 2;
    }
    o.end = o.start + (hours ? hours * HOUR_S : days * DAY_S);
    if (!named_clients)
        numbered_names("client", nclients, &o.clients);
    if (!named_sources)
        numbered_names("source", nsources, &o.sources);

    writer w = {.buf = xmem(OUTBUF), .fd = -1};
    if (o.bytes_target)
        o.rate = rate_for_target(&o, &w);
    make_dir(o.logdir);
    if (truth && !(w.truth = fopen(truth, "w")))
        die("%s: cannot create", truth);
    totals tot = {0};
    for (size_t m = 0; m < o.machines.n; m++) {
        char dir[PATH_MAX];
        if (o.machines.n > 1 || o.subdirs) {
            snprintf(dir, sizeof dir, "%s/%s", o.logdir, o.machines.v[m]);
            make_dir(dir);
        } else {
            snprintf(dir, sizeof dir, "%s", o.logdir);
        }
        for (size_t i = 0; i < o.clients.n; i++)
            gen_log(&o, o.machines.v[m], dir, false, o.clients.v[i], o.rate, &w, &tot);
        for (size_t i = 0; i < o.sources.n; i++)
            gen_log(&o, o.machines.v[m], dir, true, o.sources.v[i], o.rate, &w, &tot);
    }
    if (!o.quiet)
        fprintf(stderr, "%s: %llu files, %llu lines, %llu bytes (rate %.0f lines/hour/log)\n", progname,
                (unsigned long long)tot.files, (unsigned long long)tot.lines,
                (unsigned long long)tot.bytes, o.rate);
    if (w.truth && fclose(w.truth) != 0)
        die("%s: write failed", truth);
    free(w.buf);
    free_opts(&o);
    return 0;
}
