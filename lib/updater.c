/* updater — statsUpdater's job (see updater.h for the durability contract).
 *
 * For one client: decide where its last update stands, list its log files and
 * match them to their saved positions (logident), read them as one stream cut
 * into hours (logstream), writing each hour's snapshot into the run's batch,
 * then queue its new last-update time and positions. Once a batch of clients
 * is out, PICKLED-TIMES, then PICKLED_FILE_POSITIONS are written for those
 * whose snapshots were all published.
 *
 * Why this order is safe: a crash after the times were saved but before the
 * positions leaves old positions, which only make the next run read again
 * what it had read (the lines before the last update are skipped by time, the
 * hours still open are rebuilt whole): nothing counted twice, nothing lost. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/logfiles.h"
#include "pxstats/logident.h"
#include "pxstats/logscan.h"
#include "pxstats/logstream.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/runlog.h"
#include "pxstats/snapshot.h"
#include "pxstats/state.h"
#include "pxstats/strlist.h"
#include "pxstats/updater.h"
#include "pxstats/xalloc.h"

/* ---- what a run has done but not yet published ----------------------------- */

/* A client collected, waiting for its snapshots to be published. */
typedef struct done {
    char *client;
    int64_t last;           /* its new last-update time */
    size_t first, end;      /* its snapshots: batch entries [first, end) */
    bool out;               /* all of them were published */
    pxs_stream_stats stats;
    pxs_strlist notes;      /* for the run log */
} done;

/* Snapshots go out in batches (one syncfs for hundreds of files); the state of
 * the clients whose snapshots are in a batch advances only once they are out. */
typedef struct pending {
    pxs_abatch batch;       /* snapshots written, not yet published */
    pxs_positions pos;      /* new positions of the clients below */
    done *d;
    size_t n, cap;
} pending;

/* What the run log says at the end. */
typedef struct totals {
    size_t updated, failed;
    pxs_stream_stats stats;
} totals;

/* Snapshots per batch: enough to amortise the sync, few enough to bound the
 * work a crash throws away. */
#define BATCH_FILES 512

typedef struct fileid {
    uint64_t dev, ino;
} fileid;

/* ---- one client ---------------------------------------------------------- */

typedef struct client_run {
    const pxs_update_opts *o;
    const char *client;
    pending *pend;
    const fileid *skip;
    size_t nskip;
    pxs_logdir *logdir;     /* the log directory, listed once for the run */
} client_run;

/* The stream's sink: a computed hour into the batch. */
static int write_hour(void *arg, pxs_hour *h)
{
    client_run *c = arg;
    char *path = pxs_pickle_path(c->o->cfg->statsdir, c->client, h->start, c->o->ft, c->o->machine);
    unsigned char *buf;
    size_t len;
    int rc;

    /* We hold the statsUpdater lock: leftovers of a killed run can go. */
    if (pxs_abatch_pending(&c->pend->batch, path) == NULL)
        pxs_afile_clean_stale(path);
    pxs_snapshot_encode(h, &buf, &len);
    rc = pxs_abatch_write(&c->pend->batch, path, buf, len);
    free(buf);
    free(path);
    return rc;
}

static const char *key_name(const pxs_update_opts *o, const char *client)
{
    static char key[512];

    snprintf(key, sizeof key, "%s_%s", pxs_filetype_name(o->ft), client);
    return key;
}

/* A position whose content is nowhere any more: say so when lines of it may
 * be lost (it was the live file, which may have grown, or it held lines not
 * collected yet). */
static void report_gone(const pxs_position *p)
{
    size_t len = strlen(p->path);
    bool live = len >= 4 && strcmp(p->path + len - 4, ".log") == 0;

    if (live || p->offset < p->scanned)
        pxs_warnx("%s: truncated or replaced since the last run, and its content is not found "
                  "under another name: what was written to it after offset %llu is lost",
                  p->path, (unsigned long long)(live ? p->scanned : p->offset));
}

static bool is_skipped(const client_run *c, const pxs_logfile *f)
{
    for (size_t i = 0; i < c->nskip; i++)
        if (c->skip[i].dev == f->dev && c->skip[i].ino == f->ino)
            return true;
    return false;
}

/* The hour of the oldest plausible line of the logs: no empty snapshot
 * before it (nothing is known of those hours: rotated away, or the client did
 * not exist). */
static int64_t oldest_hour(const pxs_stream_file *files, size_t n)
{
    int64_t oldest = -1;

    for (size_t i = 0; i < n; i++)
        if (!files[i].skip && files[i].f->first >= 0 &&
            (oldest < 0 || files[i].f->first < oldest))
            oldest = files[i].f->first;
    return oldest < 0 ? INT64_MAX : pxs_hour_floor(oldest);
}

/* Where collection stands: the last update, or why there is nothing to do.
 * Returns 1 to collect, 0 when there is nothing to do, -1 on an error. */
static int starting_point(const pxs_update_opts *o, const char *client, const pxs_times *times,
                          int64_t *last)
{
    int64_t end = pxs_hour_floor(o->date), clock = pxs_now();
    char a[PXS_ISO_SIZE], b[PXS_ISO_SIZE];

    if (!pxs_times_get(times, o->machine, o->ft, client, last)) {
        *last = end - PXS_HOUR;
        return 1;
    }
    *last = pxs_hour_floor(*last);
    if (*last > clock + PXS_HOUR && !o->force_date) {
        pxs_warnx("%s/PICKLED-TIMES: %s was collected up to %s, after the system clock (%s): "
                  "set it back with setLastUpdate -m %s -f %s -c %s DATE (or give --force-date)",
                  o->cfg->statsdir, key_name(o, client), pxs_format_iso(*last, a),
                  pxs_format_iso(clock, b), o->machine, pxs_filetype_name(o->ft), client);
        return -1;
    }
    if (end < *last) {
        pxs_info("%s: nothing to do: %s is before the last update (%s)", key_name(o, client),
                 pxs_format_iso(o->date, a), pxs_format_iso(*last, b));
        return 0;
    }
    if (end == *last && !(o->now && o->date > end)) {
        pxs_info("%s: up to date", key_name(o, client));
        return 0;
    }
    return 1;
}

static void report_client(const pxs_update_opts *o, const char *client, const pxs_stream *s)
{
    const pxs_stream_stats *st = &s->stats;

    if (s->held)
        pxs_info("%s: %s", key_name(o, client), s->held);
    pxs_info("%s: %llu hours written, %llu lines, %llu malformed, %llu late, %llu from the "
             "future, %llu files read", key_name(o, client), (unsigned long long)st->hours,
             (unsigned long long)st->lines, (unsigned long long)st->malformed,
             (unsigned long long)st->late, (unsigned long long)st->future,
             (unsigned long long)st->files);
}

/* Collects one client into pend. Returns 0 (done or nothing to do) or -1
 * (reported; nothing of it is pending). */
static int update_client(const client_run *c, const pxs_times *times, pxs_positions *pos)
{
    const pxs_update_opts *o = c->o;
    pending *pend = c->pend;
    pxs_logfiles files;
    pxs_stream s = {0};
    pxs_stream_file *sf;
    pxs_ident *id;
    pxs_position **mine;
    bool *used;
    size_t nmine, mark = pxs_abatch_mark(&pend->batch);
    int64_t last, settled;
    int rc = starting_point(o, c->client, times, &last);

    if (rc <= 0)
        return rc;
    if (pxs_logdir_files(c->logdir, c->client,
                         o->date + (int64_t)o->cfg->future_tolerance_min * PXS_MINUTE, &files) != 0) {
        pxs_warnx("%s", pxs_error());
        return -1;
    }
    if (files.n == 0) {
        /* Empty snapshots would claim "no traffic" where we know nothing. */
        pxs_logfiles_free(&files);
        if (o->listed_all) {
            pxs_info("%s: no log file in %s, skipped", key_name(o, c->client), o->logdir);
            return 0;
        }
        pxs_warnx("%s/%s.log: no such log file", o->logdir, key_name(o, c->client));
        return -1;
    }
    mine = pxs_positions_of(pos, o->machine, o->ft, c->client, &nmine);
    id = xcalloc(files.n, sizeof *id);
    used = xcalloc(nmine ? nmine : 1, sizeof *used);
    pxs_ident_match(&files, mine, nmine, id, used);
    /* The hours later lines may still change: saved with the positions; none
     * without them (a first run, or setLastUpdate). */
    settled = last;
    for (size_t j = 0; j < nmine; j++) {
        if (!used[j])
            report_gone(mine[j]);
        else if (mine[j]->settled != PXS_NO_TIME && mine[j]->settled < settled)
            settled = mine[j]->settled;
    }
    sf = xcalloc(files.n, sizeof *sf);
    for (size_t i = 0; i < files.n; i++)
        sf[i] = (pxs_stream_file){&files.f[i], id[i].pos, id[i].duplicate,
                                  is_skipped(c, &files.f[i])};
    s = (pxs_stream){
        .client = c->client, .machine = o->machine, .ft = o->ft, .types = o->types,
        .interval_min = o->interval_min, .max_latency = o->cfg->max_latency, .last = last,
        .settled = settled, .first_empty = oldest_hour(sf, files.n), .date = o->date,
        .now = o->now, .tolerance = (int64_t)o->cfg->future_tolerance_min * PXS_MINUTE,
        .disorder = (int64_t)o->cfg->disorder_min * PXS_MINUTE, .files = sf, .nfiles = files.n,
        .publish = write_hour, .publish_arg = (void *)c};
    rc = pxs_stream_run(&s);
    if (rc != 0) {
        pxs_warnx("%s", pxs_error());
        pxs_abatch_rollback(&pend->batch, mark);
    } else {
        done *d;
        report_client(o, c->client, &s);
        xgrow((void **)&pend->d, &pend->cap, pend->n + 1, sizeof *pend->d);
        d = &pend->d[pend->n++];
        d->client = xstrdup(c->client);
        d->last = s.new_last;
        d->first = mark;
        d->end = pxs_abatch_mark(&pend->batch);
        d->stats = s.stats;
        d->notes = s.notes;
        pxs_strlist_init(&s.notes);
        for (size_t i = 0; i < s.positions.n; i++)
            pxs_positions_set(&pend->pos, &s.positions.e[i]);
    }
    pxs_stream_free(&s);
    free(sf);
    free(used);
    free(id);
    free(mine);
    pxs_logfiles_free(&files);
    return rc;
}

/* ---- publishing ------------------------------------------------------------ */

/* Temporaries of state files left by a killed run (we hold the lock). */
static void clean_state_leftovers(const char *statsdir)
{
    static const char *const files[] = {"PICKLED-TIMES", "PICKLED_FILE_POSITIONS"};

    for (size_t i = 0; i < 2; i++) {
        char *path = pxs_stats_file(statsdir, files[i]);
        pxs_afile_clean_stale(path);
        free(path);
    }
}

static bool all_published(const done *d, const bool *ok)
{
    for (size_t i = d->first; i < d->end; i++)
        if (!ok[i])
            return false;
    return true;
}

static void done_free(done *d)
{
    free(d->client);
    pxs_strlist_free(&d->notes);
}

/* Publishes the pending snapshots, then the state of the clients whose
 * snapshots all went out: times first, positions last (see the top of this
 * file). A client whose snapshots did not all go out keeps its state. */
static void flush_pending(const pxs_update_opts *o, pending *pend, pxs_positions *pos,
                          totals *tot)
{
    size_t nfiles = pxs_abatch_mark(&pend->batch);
    bool *ok = xcalloc(nfiles ? nfiles : 1, sizeof *ok);
    pxs_times times;
    size_t advancing = 0;
    int rc;

    if (pxs_abatch_commit_each(&pend->batch, ok) != 0)
        pxs_warnx("%s", pxs_error());
    for (size_t i = 0; i < pend->n; i++) {
        done *d = &pend->d[i];
        d->out = all_published(d, ok);
        if (d->out) {
            advancing++;
            continue;
        }
        pxs_warnx("%s: not updated; its state is unchanged and the next run retries",
                  key_name(o, d->client));
        pxs_positions_drop(&pend->pos, o->machine, o->ft, d->client);
        tot->failed++;
    }
    rc = advancing == 0 ? 0 : pxs_times_load(o->cfg->statsdir, &times);
    if (advancing > 0 && rc == 0) {
        /* Re-read under the lock: the file is ours, but stay exact. */
        for (size_t i = 0; i < pend->n; i++)
            if (pend->d[i].out)
                pxs_times_set(&times, o->machine, o->ft, pend->d[i].client, pend->d[i].last);
        clean_state_leftovers(o->cfg->statsdir);
        rc = pxs_times_save(o->cfg->statsdir, &times);
        pxs_times_free(&times);
        /* A client's positions are replaced whole: those of log files that
         * are gone go (their inodes may be reused). */
        for (size_t i = 0; rc == 0 && i < pend->n; i++)
            if (pend->d[i].out)
                pxs_positions_drop(pos, o->machine, o->ft, pend->d[i].client);
        for (size_t i = 0; rc == 0 && i < pend->pos.n; i++)
            pxs_positions_set(pos, &pend->pos.e[i]);
        if (rc == 0)
            rc = pxs_positions_save(o->cfg->statsdir, pos);
    }
    if (rc != 0) {
        pxs_warnx("%s", pxs_error());
        tot->failed += advancing;
    }
    for (size_t i = 0; i < pend->n; i++) {
        done *d = &pend->d[i];
        if (rc == 0 && d->out && (d->stats.hours > 0 || d->notes.n > 0)) {
            tot->updated++;
            tot->stats.hours += d->stats.hours;
            tot->stats.lines += d->stats.lines;
            tot->stats.malformed += d->stats.malformed;
            tot->stats.late += d->stats.late;
            tot->stats.future += d->stats.future;
            tot->stats.files += d->stats.files;
            for (size_t k = 0; k < d->notes.n; k++)
                pxs_runlog(o->cfg->statsdir, "%s: %s", key_name(o, d->client), d->notes.v[k]);
        }
        done_free(d);
    }
    pend->n = 0;
    pxs_positions_free(&pend->pos);
    free(ok);
}

/* The files named by --skip-damaged, by device and inode. */
static fileid *skip_ids(const pxs_update_opts *o, size_t *n)
{
    size_t count = o->skip_damaged ? o->skip_damaged->n : 0;
    fileid *v = xcalloc(count ? count : 1, sizeof *v);
    struct stat st;

    *n = 0;
    for (size_t i = 0; i < count; i++) {
        if (stat(o->skip_damaged->v[i], &st) != 0) {
            pxs_warn("--skip-damaged: %s", o->skip_damaged->v[i]);
            continue;
        }
        v[(*n)++] = (fileid){(uint64_t)st.st_dev, (uint64_t)st.st_ino};
    }
    return v;
}

static void update_all(const pxs_update_opts *o, const pxs_strlist *clients,
                       const pxs_times *times, pxs_positions *pos, totals *tot)
{
    pending pend = {0};
    size_t nskip;
    fileid *skip = skip_ids(o, &nskip);
    pxs_logdir logdir;

    pxs_abatch_init(&pend.batch);
    pxs_logdir_init(&logdir, o->logdir, o->ft);
    for (size_t i = 0; i < clients->n; i++) {
        client_run c = {o, clients->v[i], &pend, skip, nskip, &logdir};
        if (o->progress)
            fprintf(stderr, "\r%s: %zu/%zu %s\033[K", pxs_progname(), i + 1, clients->n,
                    key_name(o, clients->v[i]));
        if (update_client(&c, times, pos) != 0) {
            if (o->progress)
                fputc('\n', stderr);
            pxs_warnx("%s: not updated; its state is unchanged and the next run retries",
                      key_name(o, clients->v[i]));
            tot->failed++;
        }
        if (pxs_abatch_mark(&pend.batch) >= BATCH_FILES)
            flush_pending(o, &pend, pos, tot);
    }
    flush_pending(o, &pend, pos, tot);
    pxs_logdir_free(&logdir);
    free(pend.d);
    free(skip);
    if (o->progress && clients->n > 0)
        fputc('\n', stderr);
}

int pxs_update_clients(const pxs_update_opts *o, const pxs_strlist *clients)
{
    pxs_lock lock;
    pxs_times times;
    pxs_positions pos;
    totals tot = {0};
    int lk;

    lk = pxs_lock_take(&lock, o->cfg->statsdir, "statsUpdater", o->wait_lock);
    if (lk != 0)
        return -1;
    if (pxs_times_load(o->cfg->statsdir, &times) != 0) {
        pxs_lock_release(&lock);
        return -1;
    }
    if (pxs_positions_load(o->cfg->statsdir, &pos) != 0) {
        pxs_times_free(&times);
        pxs_lock_release(&lock);
        return -1;
    }
    update_all(o, clients, &times, &pos, &tot);
    pxs_runlog(o->cfg->statsdir,
               "machine %s, %s: %zu clients updated, %zu failed, up to %s: %llu hours written, "
               "%llu lines, %llu malformed, %llu late, %llu from the future, %llu files read",
               o->machine, pxs_filetype_name(o->ft), tot.updated, tot.failed,
               pxs_format_iso(pxs_hour_floor(o->date), (char[PXS_ISO_SIZE]){0}),
               (unsigned long long)tot.stats.hours, (unsigned long long)tot.stats.lines,
               (unsigned long long)tot.stats.malformed, (unsigned long long)tot.stats.late,
               (unsigned long long)tot.stats.future, (unsigned long long)tot.stats.files);
    pxs_positions_free(&pos);
    pxs_times_free(&times);
    pxs_lock_release(&lock);
    return tot.failed ? 1 : 0;
}

/* ---- the partial hour of graphGen -n ------------------------------------- */

typedef struct window {
    int64_t start, end, stop, latest;
    pxs_hour *hours;
    const char *path;
} window;

static int window_sink(void *arg, pxs_line_kind kind, const pxs_record *rec, uint64_t offset)
{
    window *w = arg;

    (void)offset;
    /* A line from the future or before 2000 neither counts nor stops. */
    if (kind == PXS_LINE_MALFORMED || rec->time < w->start || rec->time > w->latest)
        return 0;
    if (rec->time >= w->stop)
        return 1;
    if (rec->time >= w->end)
        return 0;
    pxs_hour_add(&w->hours[(rec->time - w->start) / PXS_HOUR], rec, kind == PXS_LINE_ERROR);
    pxs_hour_note_file(&w->hours[(rec->time - w->start) / PXS_HOUR], w->path);
    return 0;
}

int pxs_collect_window(const pxs_update_opts *o, const char *client, int64_t start, int64_t end,
                       pxs_hour **hours, int *nhours)
{
    int64_t tolerance = (int64_t)o->cfg->future_tolerance_min * PXS_MINUTE;
    window w;
    pxs_logfiles files;
    int n;

    start = pxs_hour_floor(start);
    n = end > start ? (int)((end - start + PXS_HOUR - 1) / PXS_HOUR) : 0;
    /* Lines out of order by up to disorderMinutes are read past end. */
    w = (window){start, end, end + (int64_t)o->cfg->disorder_min * PXS_MINUTE, end + tolerance,
                 xcalloc((size_t)(n ? n : 1), sizeof(pxs_hour)), NULL};
    for (int i = 0; i < n; i++) {
        pxs_hour_init(&w.hours[i], client, o->machine, o->ft, start + (int64_t)i * PXS_HOUR,
                      o->interval_min, o->cfg->max_latency, o->types);
        w.hours[i].partial = start + (int64_t)(i + 1) * PXS_HOUR > end;
    }
    if (n > 0 && pxs_logfiles_find(o->logdir, o->ft, client, start, end - 1, end + tolerance,
                                   &files) == 0) {
        for (size_t i = 0; i < files.n; i++) {
            pxs_scan_opts so = {o->ft, (o->types & PXS_T_ERRORS) != 0, files.f[i].gz,
                                !files.f[i].live};
            pxs_scan_result res;
            w.path = files.f[i].path;
            if (pxs_logscan(files.f[i].path, &so, 0, window_sink, &w, &res) != 0)
                pxs_warnx("%s", pxs_error());
        }
        pxs_logfiles_free(&files);
    } else if (n > 0) {
        pxs_warnx("%s", pxs_error());
    }
    for (int i = 0; i < n; i++)
        pxs_hour_compute(&w.hours[i]);
    *hours = w.hours;
    *nhours = n;
    return 0;
}
