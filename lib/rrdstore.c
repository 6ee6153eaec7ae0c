/* rrdstore — the RRD archive through librrd (see rrdstore.h). */
#include "pxstats/rrdstore.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <rrd.h>
#include <rrd_client.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/dbupdates.h"
#include "pxstats/jobs.h"
#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/merge.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/xalloc.h"

/* Hours loaded and fed per round: bounds memory for a long backlog while
 * keeping each database to few update calls. */
#define FEED_CHUNK_HOURS (24 * 7)
/* Values per rrd_update call: the argument vector stays small. */
#define UPDATE_BATCH 10080
/* Values per rrdcached UPDATE command: the daemon reads a command into a
 * buffer of a few kilobytes (librrd's client sends one line per call), so a
 * bigger batch is refused whole; 100 "t:v" items stay well under it. */
#define DAEMON_BATCH 100

static const char *const type_names[PXS_DB_NTYPES] = {
    "latency", "bytecount", "errors", "filecount", "filesOverMaxLatency"
};

const char *pxs_dbtype_name(pxs_dbtype t)
{
    return (unsigned)t < PXS_DB_NTYPES ? type_names[t] : "?";
}

bool pxs_dbtype_is_count(pxs_dbtype t)
{
    return t != PXS_DB_LATENCY;
}

int pxs_dbtypes_of(pxs_filetype ft, pxs_dbtype out[PXS_DB_NTYPES])
{
    int n = 0;
    for (int t = 0; t < PXS_DB_NTYPES; t++) {
        if (ft == PXS_RX && (t == PXS_DB_LATENCY || t == PXS_DB_FILESOVER))
            continue;
        out[n++] = (pxs_dbtype)t;
    }
    return n;
}

int pxs_dbtypes_parse(const char *text, pxs_filetype ft, unsigned *mask)
{
    pxs_dbtype all[PXS_DB_NTYPES];
    int n = pxs_dbtypes_of(ft, all);
    *mask = 0;
    if (text == NULL || *text == '\0' || strcmp(text, "All") == 0) {
        for (int i = 0; i < n; i++)
            *mask |= 1u << all[i];
        return 0;
    }
    pxs_strlist l;
    pxs_strlist_init(&l);
    pxs_strlist_split(&l, text, ',');
    int rc = l.n > 0 ? 0 : -1;
    if (rc < 0)
        pxs_set_error("no data type in '%s'", text);
    for (size_t i = 0; i < l.n && rc == 0; i++) {
        int found = -1;
        for (int k = 0; k < n; k++)
            if (strcmp(l.v[i], type_names[all[k]]) == 0)
                found = all[k];
        if (found < 0) {
            pxs_set_error("unknown %s data type '%s'", pxs_filetype_name(ft), l.v[i]);
            rc = -1;
        } else {
            *mask |= 1u << found;
        }
    }
    pxs_strlist_free(&l);
    return rc;
}

char *pxs_rrd_path(const char *statsdir, pxs_filetype ft, pxs_dbtype t, const char *client,
                   const char *machine)
{
    return pxs_db_path(statsdir, ft, pxs_dbtype_name(t), client, machine);
}

double pxs_rrd_bucket_value(const pxs_bucket *b, pxs_dbtype t)
{
    switch (t) {
    case PXS_DB_LATENCY:
        return b->nb_files > 0 ? b->latency.mean : 0.0;
    case PXS_DB_BYTECOUNT:
        return b->bytecount.total;
    case PXS_DB_ERRORS:
        return (double)b->errors;
    case PXS_DB_FILECOUNT:
        return (double)b->nb_files;
    case PXS_DB_FILESOVER:
        return (double)b->files_over_max_latency;
    default:
        return NAN;
    }
}

const char *pxs_rrd_daemon(void)
{
    const char *a = getenv("RRDCACHED_ADDRESS");
    return a != NULL && *a != '\0' ? a : NULL;
}

bool pxs_rrd_retry_lock(int *attempts)
{
    const char *e = rrd_get_error();
    if (e == NULL || strstr(e, "could not lock") == NULL || *attempts >= 600)
        return false;
    (*attempts)++;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    rrd_clear_error();
    return true;
}

/* Connects to rrdcached when one is configured. Returns 1 when updates must go
 * through it, 0 when librrd writes the files itself, -1 on failure. */
static int use_daemon(void)
{
    const char *addr = pxs_rrd_daemon();
    if (addr == NULL)
        return 0;
    rrd_clear_error();
    if (rrdc_connect(addr) != 0) {
        pxs_set_error("cannot connect to rrdcached at %s: %s", addr, rrd_get_error());
        return -1;
    }
    return 1;
}

char *pxs_rrd_abs_path(const char *path)
{
    char cwd[4096];
    if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
        return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

/* <dir>/.<base><suffix> for path <dir>/<base> (fresh string). */
static char *temporary_of(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return xasprintf(".%s%s", path, suffix);
    return xasprintf("%.*s/.%s%s", (int)(slash - path), path, slash + 1, suffix);
}

void pxs_rrd_clean_temporaries(const char *path)
{
    char *prefix = temporary_of(path, ".");
    const char *slash = strrchr(prefix, '/');
    char *dir = slash ? xstrndup(prefix, (size_t)(slash - prefix)) : xstrdup(".");
    const char *base = slash ? slash + 1 : prefix;
    size_t bl = strlen(base);
    pxs_dirlist dl;
    /* Listed without following links; a missing directory has nothing. */
    if (pxs_dir_read(dir, &dl) != 0)
        dl.n = 0;
    for (size_t i = 0; i < dl.n; i++) {
        const char *name = dl.e[i].name;
        size_t l = strlen(name);
        /* Never an undo journal: it is what puts a database back. */
        if (strncmp(name, base, bl) != 0 || l == bl || S_ISDIR(dl.e[i].type) ||
            (l >= 8 && strcmp(name + l - 8, ".journal") == 0))
            continue;
        char *p = xasprintf("%s/%s", dir, name);
        unlink(p);
        free(p);
    }
    pxs_dir_free(&dl);
    free(dir);
    free(prefix);
}

int pxs_rrd_create(const char *path, pxs_dbtype t, int64_t last_up)
{
    return pxs_rrd_create_ex(path, t, last_up, false);
}

int pxs_rrd_create_ex(const char *path, pxs_dbtype t, int64_t last_up, bool direct)
{
    static const char *const cfs[] = {"AVERAGE", "MIN", "MAX"};
    static const int rra[4][2] = {{1, 7200}, {60, 336}, {240, 1460}, {1440, 3650}};
    char *args[1 + 12];
    int argc = 0;
    args[argc++] = xasprintf("DS:%s:GAUGE:%d:U:U", pxs_dbtype_name(t), PXS_RRD_STEP);
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 3; c++)
            args[argc++] = xasprintf("RRA:%s:0.5:%d:%d", cfs[c], rra[r][0], rra[r][1]);

    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        *slash = '\0';
    int rc = slash != NULL ? pxs_mkdirs(dir) : 0;
    int daemon = rc != 0 ? -1 : direct ? 0 : use_daemon();
    /* Made here under a dot name and renamed: librrd writes through a
     * temporary of its own (the given name plus six random characters),
     * which a killed run would leave beside the databases under a name that
     * looks like one; under ".<name>.new" both are dot files, which every
     * reader skips and pxs_rrd_clean_temporaries removes. */
    char *tmp = temporary_of(path, ".new");
    if (daemon >= 0) {
        rrd_clear_error();
        char *dp = pxs_rrd_abs_path(path);
        int r = daemon ? rrdc_create(dp, PXS_RRD_STEP, (time_t)last_up, 0, argc,
                                     (const char **)args)
                       : rrd_create_r(tmp, PXS_RRD_STEP, (time_t)last_up, argc,
                                      (const char **)args);
        free(dp);
        if (r != 0) {
            pxs_set_error("%s: cannot create: %s", path, rrd_get_error());
            rc = -1;
        } else if (!daemon) {
            /* librrd creates 0644 whatever the umask; follow it like every
             * other file pxstats makes. */
            mode_t mask = umask(022);
            umask(mask);
            if (chmod(tmp, 0666 & ~mask) != 0) {
                pxs_set_error_errno("%s: cannot set its mode", tmp);
                rc = -1;
            } else if (rename(tmp, path) != 0) {
                pxs_set_error_errno("cannot rename %s to %s", tmp, path);
                rc = -1;
            }
            if (rc != 0)
                unlink(tmp);
        }
    } else {
        rc = -1;
    }
    free(tmp);
    for (int i = 0; i < argc; i++)
        free(args[i]);
    free(dir);
    return rc;
}

int pxs_rrd_last(const char *path, int64_t *last)
{
    return pxs_rrd_last_ex(path, last, false);
}

int pxs_rrd_last_ex(const char *path, int64_t *last, bool direct)
{
    /* librrd opens by name: only a regular file is handed to it (no link out
     * of the tree, no FIFO to block on); safefs.h says why the instant
     * between this check and librrd's open is left to the service account. */
    int kind = pxs_regular_check(path);
    if (kind <= 0)
        return kind;
    int daemon = direct ? 0 : use_daemon();
    if (daemon < 0)
        return -1;
    int attempts = 0;
    for (;;) {
        rrd_clear_error();
        /* Through rrdcached the answer includes values still in its queue. */
        char *dp = pxs_rrd_abs_path(path);
        time_t t = daemon ? rrdc_last(dp) : rrd_last_r(path);
        free(dp);
        if (t != (time_t)-1) {
            *last = (int64_t)t;
            return 1;
        }
        if (!pxs_rrd_retry_lock(&attempts))
            break;
    }
    pxs_set_error("%s: cannot read the last update: %s", path, rrd_get_error());
    return -1;
}

/* Writes the decimal digits of v at p; returns their number. */
static size_t put_i64(char *p, int64_t v)
{
    char tmp[24];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        p[len++] = '-';
    while (n > 0)
        p[len++] = tmp[--n];
    return len;
}

/* "t:v" into item (size bytes). Most values are whole counts: they are
 * written digit by digit, which is several times faster than %.17g over the
 * million values of a large site's day; other values keep every bit. */
static void format_item(char *item, size_t size, int64_t t, double v)
{
    size_t n = put_i64(item, t);
    item[n++] = ':';
    if (isnan(v))
        snprintf(item + n, size - n, "U");
    else if (v == floor(v) && fabs(v) < 1e15)
        item[n + put_i64(item + n, (int64_t)v)] = '\0';
    else
        snprintf(item + n, size - n, "%.17g", v);
}

/* One update call with argv "t:v", retried while another process holds the lock. */
static int update_batch(const char *path, int daemon, int argc, const char **argv)
{
    int attempts = 0;
    for (;;) {
        rrd_clear_error();
        char *dp = pxs_rrd_abs_path(path);
        int r = daemon ? rrdc_update(dp, argc, argv) : rrd_update_r(path, NULL, argc, argv);
        free(dp);
        if (r == 0)
            return 0;
        if (!pxs_rrd_retry_lock(&attempts))
            break;
    }
    pxs_set_error("%s: cannot update: %s", path, rrd_get_error());
    return -1;
}

int pxs_rrd_update(const char *path, size_t n, const int64_t *times, const double *values,
                   size_t *written)
{
    return pxs_rrd_update_ex(path, n, times, values, written, false);
}

void pxs_rrd_daemon_release(const char *path)
{
    const char *addr = pxs_rrd_daemon();
    if (addr == NULL || rrdc_connect(addr) != 0) {
        rrd_clear_error();
        return;
    }
    char *abs = pxs_rrd_abs_path(path);
    /* A file the daemon does not hold answers an error: nothing to do. */
    rrdc_flush(abs);
    rrdc_forget(abs);
    rrd_clear_error();
    free(abs);
}

int pxs_rrd_update_ex(const char *path, size_t n, const int64_t *times, const double *values,
                      size_t *written, bool direct)
{
    if (written != NULL)
        *written = 0;
    int64_t last = INT64_MIN;
    int have = pxs_rrd_last_ex(path, &last, direct);
    if (have < 0)
        return -1;
    if (have == 0) {
        pxs_set_error("%s: no such database", path);
        return -1;
    }
    int daemon = direct ? 0 : use_daemon();
    if (daemon < 0)
        return -1;
    size_t first = 0;
    while (first < n && times[first] <= last)
        first++;
    /* "t:v" texts live in one buffer; 48 bytes hold any int64 and %.17g. */
    enum { ITEM = 48 };
    size_t batch = daemon ? DAEMON_BATCH : UPDATE_BATCH;
    size_t cap = n - first < batch ? n - first : batch;
    char *buf = xmalloc(cap * ITEM + 1);
    const char **argv = xmalloc((cap + 1) * sizeof *argv);
    int rc = 0;
    size_t done = 0;
    for (size_t i = first; i < n && rc == 0;) {
        int argc = 0;
        for (; i < n && (size_t)argc < cap; i++) {
            char *item = buf + (size_t)argc * ITEM;
            format_item(item, ITEM, times[i], values[i]);
            argv[argc++] = item;
        }
        rc = update_batch(path, daemon, argc, argv);
        if (rc == 0)
            done += (size_t)argc;
    }
    free(argv);
    free(buf);
    if (written != NULL)
        *written = done;
    return rc;
}

/* "<m>_<HH>" where m is one of names: sets *hour. */
static bool snapshot_name(const char *file, const pxs_strlist *names, int *hour)
{
    size_t len = strlen(file);
    if (len < 4 || file[len - 3] != '_' || file[len - 2] < '0' || file[len - 2] > '2' ||
        file[len - 1] < '0' || file[len - 1] > '9')
        return false;
    int h = (file[len - 2] - '0') * 10 + (file[len - 1] - '0');
    if (h > 23)
        return false;
    for (size_t i = 0; i < names->n; i++)
        if (strlen(names->v[i]) == len - 3 && strncmp(file, names->v[i], len - 3) == 0) {
            *hour = h;
            return true;
        }
    return false;
}

/* The earliest hour of a day directory holding one of the names, or -1. */
static int first_hour_of_day(const char *daydir, pxs_filetype ft, const pxs_strlist *names)
{
    char *dir = xasprintf("%s/%s", daydir, pxs_filetype_name(ft));
    pxs_dirlist l;
    int best = -1;
    if (pxs_dir_read(dir, &l) != 0)
        pxs_warnx("%s", pxs_error());
    free(dir);
    for (size_t i = 0; i < l.n; i++) {
        int h;
        if (S_ISREG(l.e[i].type) && snapshot_name(l.e[i].name, names, &h) && (best < 0 || h < best))
            best = h;
    }
    pxs_dir_free(&l);
    return best;
}

int pxs_rrd_first_snapshot(const char *statsdir, const char *client, pxs_filetype ft,
                           const pxs_strlist *machines, int64_t *t)
{
    char *cdir = xasprintf("%s/pickles/%s", statsdir, client);
    pxs_dirlist l;
    if (pxs_dir_read(cdir, &l) != 0) {
        free(cdir);
        return -1;
    }
    pxs_strlist days, names;
    pxs_strlist_init(&days);
    pxs_strlist_init(&names);
    for (size_t i = 0; i < l.n; i++)
        if (S_ISDIR(l.e[i].type) && strlen(l.e[i].name) == 8 &&
            strspn(l.e[i].name, "0123456789") == 8)
            pxs_strlist_add(&days, l.e[i].name);
    pxs_dir_free(&l);
    pxs_strlist_sort(&days);   /* YYYYMMDD sorts as time */
    for (size_t i = 0; i < machines->n; i++)
        pxs_strlist_add_unique(&names, machines->v[i]);
    char *group = pxs_group_name(machines);
    pxs_strlist_add_unique(&names, group);
    free(group);

    int rc = 0;
    for (size_t i = 0; i < days.n && rc == 0; i++) {
        char *daydir = xasprintf("%s/%s", cdir, days.v[i]);
        int h = first_hour_of_day(daydir, ft, &names);
        free(daydir);
        const char *s = days.v[i];
        char iso[11];
        snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
        int64_t day;
        if (h >= 0 && pxs_parse_date_arg(iso, &day)) {
            *t = day + (int64_t)h * PXS_HOUR;
            rc = 1;
        }
    }
    pxs_strlist_free(&days);
    pxs_strlist_free(&names);
    free(cdir);
    return rc;
}

/* ---- rrdTransfer: every client and group, in worker processes ---- */

typedef struct transfer_ctx {
    const pxs_transfer_opts *o;
    pxs_strlist *groups;        /* each group split into its machines */
    pxs_feed_stats *st;
    int failures;
    size_t done;
} transfer_ctx;

static int transfer_one(size_t i, void *arg, char *msg, size_t msgsize)
{
    transfer_ctx *c = arg;
    const char *client = c->o->clients->v[i];
    pxs_feed_stats st = {0};
    int status = 0;
    for (size_t g = 0; g < c->o->groups->n; g++) {
        if (pxs_rrd_feed(c->o->statsdir, client, c->o->ft, &c->groups[g], c->o->end,
                         c->o->max_wait_hours, &st) < 0) {
            pxs_warnx("%s", pxs_error());
            st.failed++;
            status = 1;
        }
    }
    /* A refused snapshot or hours that could only be marked stale fail the
     * run (each was named on stderr as it was met). */
    if (st.refused > 0 || st.stale > 0)
        status = 1;
    snprintf(msg, msgsize,
             "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
             " %" PRIu64 " %" PRIu64,
             st.databases, st.created, st.values, st.groups_fed, st.failed, st.refused, st.rebuilt,
             st.held, st.stale);
    return status;
}

static void transfer_done(size_t i, int status, const char *msg, void *arg)
{
    transfer_ctx *c = arg;
    pxs_feed_stats s = {0};
    if (sscanf(msg,
               "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
               " %" SCNu64 " %" SCNu64,
               &s.databases, &s.created, &s.values, &s.groups_fed, &s.failed, &s.refused,
               &s.rebuilt, &s.held, &s.stale) == 9) {
        c->st->databases += s.databases;
        c->st->created += s.created;
        c->st->values += s.values;
        c->st->groups_fed += s.groups_fed;
        c->st->failed += s.failed;
        c->st->refused += s.refused;
        c->st->rebuilt += s.rebuilt;
        c->st->held += s.held;
        c->st->stale += s.stale;
    }
    if (status != 0) {
        c->failures++;
        if (status > 128)
            pxs_warnx("%s: worker killed by signal %d", c->o->clients->v[i], status - 128);
    }
    pxs_jobs_progress("clients", ++c->done, c->o->clients->n, c->o->progress);
}

int pxs_rrd_transfer(const pxs_transfer_opts *o, pxs_feed_stats *st)
{
    pxs_lock lk;
    int lr = pxs_lock_take(&lk, o->statsdir, "rrdTransfer", o->wait_lock);
    if (lr != 0)
        return -1;
    transfer_ctx c = {.o = o, .st = st};
    c.groups = xcalloc(o->groups->n ? o->groups->n : 1, sizeof(pxs_strlist));
    for (size_t g = 0; g < o->groups->n; g++) {
        pxs_strlist_init(&c.groups[g]);
        pxs_strlist_split(&c.groups[g], o->groups->v[g], ',');
    }
    int rc = pxs_jobs_run(o->clients->n, o->jobs > 1 ? o->jobs : 0, transfer_one, transfer_done, &c);
    for (size_t g = 0; g < o->groups->n; g++)
        pxs_strlist_free(&c.groups[g]);
    free(c.groups);
    pxs_lock_release(&lk);
    if (rc < 0)
        return -1;
    return c.failures > 0 ? 1 : 0;
}
