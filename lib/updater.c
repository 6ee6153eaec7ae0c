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
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/logfiles.h"
#include "pxstats/logident.h"
#include "pxstats/logscan.h"
#include "pxstats/logstream.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/hourwriter.h"
#include "pxstats/jobs.h"
#include "pxstats/runlog.h"
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
 * work a crash throws away. Each batch ends with the state files written
 * whole: with thousands of clients (a few files each) a batch also holds
 * at least an eighth of the positions' count in snapshots, so that writing
 * the state costs in proportion to the snapshots written, not to
 * clients x batches. */
#define BATCH_FILES 512
#define BATCH_STATE_SHARE 8

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
    pxs_hourwriter writer;
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
        .publish = pxs_hourwriter_publish, .publish_arg = &writer,
        .spill_dir = o->cfg->statsdir};
    pxs_hourwriter_init(&writer, &pend->batch, o->cfg->statsdir, c->client, o->ft, o->machine);
    rc = pxs_stream_run(&s);
    if (pxs_hourwriter_end(&writer, rc == 0) != 0)
        rc = -1;
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

/* After a client: the failure said in the order of the list, the progress,
 * and the batch published once it is big enough. */
static void client_end(const pxs_update_opts *o, const pxs_strlist *clients, size_t i, int rc,
                       pending *pend, pxs_positions *pos, totals *tot)
{
    if (rc != 0) {
        if (o->progress)
            fputc('\n', stderr);
        pxs_warnx("%s: not updated; its state is unchanged and the next run retries",
                  key_name(o, clients->v[i]));
        tot->failed++;
    }
    if (pxs_abatch_mark(&pend->batch) >= BATCH_FILES &&
        pxs_abatch_mark(&pend->batch) >= pos->n / BATCH_STATE_SHARE)
        flush_pending(o, pend, pos, tot);
}

static void show_progress(const pxs_update_opts *o, const pxs_strlist *clients, size_t i)
{
    if (o->progress)
        fprintf(stderr, "\r%s: %zu/%zu %s\033[K", pxs_progname(), i + 1, clients->n,
                key_name(o, clients->v[i]));
}

/* ---- -j N: clients collected by worker processes ---------------------------
 *
 * Each worker (pxs_jobs_run's pool, forked under the lock, which it
 * shares) collects one client into a batch of its own: its snapshots are
 * temporaries next to their final names, as in a run of one process. What
 * the parent needs of it (the temporaries, the new last update, positions,
 * counts and notes) goes into a result file <stats>/.statsUpdater-jobs/<i>.
 * The parent takes the results in the order of the client list, whatever
 * order the workers end in, into the one pending batch: batches, their
 * publication and the state written are those of a run of one process. A
 * worker that dies is that client's failure; its temporaries are cleaned by
 * the next run (we hold the lock). */

#define JOBS_DIR ".statsUpdater-jobs"
#define JOB_MAGIC "pxstats statsUpdater job 1\n"

typedef struct jobs {
    const pxs_update_opts *o;
    const pxs_strlist *clients;
    const pxs_times *times;
    pxs_positions *pos;
    const fileid *skip;
    size_t nskip;
    pxs_logdir *logdir;
    char *dir;              /* JOBS_DIR */
    pid_t parent;
    int *status;            /* by client: -1 while running */
    size_t next;            /* the next client to take, in list order */
    pending *pend;
    totals *tot;
} jobs;

static char *job_file(const jobs *j, size_t i)
{
    return xasprintf("%s/%zu", j->dir, i);
}

static void put_str(FILE *f, const char *s)
{
    uint64_t n = strlen(s);

    fwrite(&n, sizeof n, 1, f);
    fwrite(s, 1, (size_t)n, f);
}

static void put_u64(FILE *f, uint64_t v)
{
    fwrite(&v, sizeof v, 1, f);
}

static bool get_u64(FILE *f, uint64_t *v)
{
    return fread(v, sizeof *v, 1, f) == 1;
}

/* A fresh string, or NULL at a short read. */
static char *get_str(FILE *f)
{
    uint64_t n;
    char *s;

    if (!get_u64(f, &n) || n > 1u << 20)
        return NULL;
    s = xmalloc((size_t)n + 1);
    if (fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        return NULL;
    }
    s[n] = '\0';
    return s;
}

/* The worker's side: what one client left in its own pending. */
static int write_result(const char *path, const pending *pend)
{
    FILE *f = fopen(path, "wb");
    const pxs_abatch *b = &pend->batch;

    if (f == NULL) {
        pxs_set_error_errno("cannot write %s", path);
        return -1;
    }
    fputs(JOB_MAGIC, f);
    put_u64(f, pend->n);
    for (size_t i = 0; i < pend->n; i++) {
        const done *d = &pend->d[i];
        put_str(f, d->client);
        put_u64(f, (uint64_t)d->last);
        fwrite(&d->stats, sizeof d->stats, 1, f);
        put_u64(f, d->notes.n);
        for (size_t k = 0; k < d->notes.n; k++)
            put_str(f, d->notes.v[k]);
    }
    put_u64(f, b->tmp.n);
    for (size_t i = 0; i < b->tmp.n; i++) {
        put_str(f, b->final.v[i]);
        put_str(f, b->tmp.v[i]);
    }
    put_u64(f, pend->pos.n);
    for (size_t i = 0; i < pend->pos.n; i++) {
        const pxs_position *e = &pend->pos.e[i];
        put_str(f, e->path);
        put_str(f, e->machine);
        put_str(f, e->client);
        put_u64(f, e->dev);
        put_u64(f, e->ino);
        put_u64(f, e->fp_len);
        put_u64(f, e->fp_crc);
        put_u64(f, e->offset);
        put_u64(f, (uint64_t)e->ft);
        put_u64(f, e->scanned);
        put_u64(f, (uint64_t)e->max_time);
        put_u64(f, (uint64_t)e->settled);
    }
    if (ferror(f) | (fclose(f) != 0)) {
        pxs_set_error_errno("cannot write %s", path);
        return -1;
    }
    return 0;
}

/* The parent's side: appends a result to pend. Returns 0, or -1 when the
 * file is not whole (nothing of it is taken). */
static int read_result(const char *path, pending *pend)
{
    FILE *f = fopen(path, "rb");
    char magic[sizeof JOB_MAGIC];
    pending r = {0};
    uint64_t n, v[9];
    bool ok;

    if (f == NULL) {
        pxs_set_error_errno("cannot read %s", path);
        return -1;
    }
    pxs_abatch_init(&r.batch);
    ok = fread(magic, 1, sizeof JOB_MAGIC - 1, f) == sizeof JOB_MAGIC - 1 &&
         memcmp(magic, JOB_MAGIC, sizeof JOB_MAGIC - 1) == 0 && get_u64(f, &n) && n <= 1;
    for (uint64_t i = 0; ok && i < n; i++) {
        done *d;
        uint64_t last, nnotes;
        xgrow((void **)&r.d, &r.cap, r.n + 1, sizeof *r.d);
        d = &r.d[r.n++];
        memset(d, 0, sizeof *d);
        pxs_strlist_init(&d->notes);
        ok = (d->client = get_str(f)) != NULL && get_u64(f, &last) &&
             fread(&d->stats, sizeof d->stats, 1, f) == 1 && get_u64(f, &nnotes);
        d->last = (int64_t)last;
        for (uint64_t k = 0; ok && k < nnotes; k++) {
            char *note = get_str(f);
            ok = note != NULL;
            if (ok)
                pxs_strlist_add(&d->notes, note);
            free(note);
        }
    }
    ok = ok && get_u64(f, &n);
    for (uint64_t i = 0; ok && i < n; i++) {
        char *final = get_str(f), *tmp = final ? get_str(f) : NULL;
        ok = tmp != NULL;
        if (ok) {
            pxs_strlist_add(&r.batch.final, final);
            pxs_strlist_add(&r.batch.tmp, tmp);
        }
        free(final);
        free(tmp);
    }
    ok = ok && get_u64(f, &n);
    for (uint64_t i = 0; ok && i < n; i++) {
        pxs_position e = {0};
        e.path = get_str(f);
        e.machine = e.path ? get_str(f) : NULL;
        e.client = e.machine ? get_str(f) : NULL;
        ok = e.client != NULL;
        for (size_t k = 0; ok && k < 9; k++)
            ok = get_u64(f, &v[k]);
        if (ok) {
            e.dev = v[0];
            e.ino = v[1];
            e.fp_len = (uint32_t)v[2];
            e.fp_crc = (uint32_t)v[3];
            e.offset = v[4];
            e.ft = (pxs_filetype)v[5];
            e.scanned = v[6];
            e.max_time = (int64_t)v[7];
            e.settled = (int64_t)v[8];
            pxs_positions_set(&r.pos, &e);
        }
        free(e.path);
        free(e.machine);
        free(e.client);
    }
    ok = ok && fgetc(f) == EOF;
    fclose(f);
    if (ok) {
        size_t mark = pxs_abatch_mark(&pend->batch);
        for (size_t i = 0; i < r.batch.tmp.n; i++)
            pxs_abatch_adopt(&pend->batch, r.batch.final.v[i], r.batch.tmp.v[i]);
        for (size_t i = 0; i < r.n; i++) {
            xgrow((void **)&pend->d, &pend->cap, pend->n + 1, sizeof *pend->d);
            r.d[i].first = mark;
            r.d[i].end = pxs_abatch_mark(&pend->batch);
            pend->d[pend->n++] = r.d[i];
        }
        for (size_t i = 0; i < r.pos.n; i++)
            pxs_positions_set(&pend->pos, &r.pos.e[i]);
        r.n = 0;
    } else {
        pxs_set_error("%s: not a whole result of a worker", path);
    }
    for (size_t i = 0; i < r.n; i++)
        done_free(&r.d[i]);
    free(r.d);
    /* Taken, the temporaries are the pending batch's; else they go. */
    if (ok)
        pxs_abatch_release(&r.batch);
    else
        pxs_abatch_abort(&r.batch);
    pxs_positions_free(&r.pos);
    return ok ? 0 : -1;
}

/* In a worker: one client, its result into its file. Status 0, or 1 when the
 * client failed (reported). */
static int collect_job(size_t i, void *arg, char *msg, size_t msgsize)
{
    jobs *j = arg;
    pending pend = {0};
    client_run c = {j->o, j->clients->v[i], &pend, j->skip, j->nskip, j->logdir};
    char *path = job_file(j, i);
    int rc;

    (void)msg;
    (void)msgsize;
    /* A worker outlives no parent: it would write for a run that is over. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != j->parent)
        _exit(1);
    pxs_abatch_init(&pend.batch);
    rc = update_client(&c, j->times, j->pos);
    if (rc == 0 && write_result(path, &pend) != 0) {
        pxs_warnx("%s", pxs_error());
        unlink(path);
        rc = -1;
    }
    if (rc == 0)
        pxs_abatch_release(&pend.batch);
    else
        pxs_abatch_abort(&pend.batch);
    for (size_t k = 0; k < pend.n; k++)
        done_free(&pend.d[k]);
    free(pend.d);
    pxs_positions_free(&pend.pos);
    free(path);
    return rc == 0 ? 0 : 1;
}

/* In the parent: client i is done; the clients done up to the first still
 * running are taken in list order. */
static void collect_done(size_t i, int status, const char *msg, void *arg)
{
    jobs *j = arg;

    (void)msg;
    j->status[i] = status;
    while (j->next < j->clients->n && j->status[j->next] >= 0) {
        size_t k = j->next++;
        char *path = job_file(j, k);
        int rc = j->status[k] == 0 ? 0 : -1;
        show_progress(j->o, j->clients, k);
        if (j->status[k] > 128)
            pxs_warnx("%s: the worker collecting it died (signal %d)",
                      key_name(j->o, j->clients->v[k]), j->status[k] - 128);
        if (rc == 0 && read_result(path, j->pend) != 0) {
            pxs_warnx("%s", pxs_error());
            rc = -1;
        }
        unlink(path);
        free(path);
        client_end(j->o, j->clients, k, rc, j->pend, j->pos, j->tot);
    }
}

static void update_jobs(jobs *j)
{
    int rc;

    if (mkdir(j->dir, 0700) != 0) {
        pxs_warn("%s", j->dir);
        j->tot->failed += j->clients->n;
        return;
    }
    j->status = xcalloc(j->clients->n ? j->clients->n : 1, sizeof *j->status);
    for (size_t i = 0; i < j->clients->n; i++)
        j->status[i] = -1;
    j->parent = getpid();
    rc = pxs_jobs_run(j->clients->n, j->o->jobs, collect_job, collect_done, j);
    if (rc != 0) {
        pxs_warnx("%s", pxs_error());
        /* Those never taken: not updated. */
        for (size_t i = j->next; i < j->clients->n; i++)
            client_end(j->o, j->clients, i, -1, j->pend, j->pos, j->tot);
    }
    pxs_remove_tree(j->dir);
    free(j->status);
}

static void update_all(const pxs_update_opts *o, const pxs_strlist *clients,
                       const pxs_times *times, pxs_positions *pos, totals *tot)
{
    pending pend = {0};
    size_t nskip;
    fileid *skip = skip_ids(o, &nskip);
    pxs_logdir logdir;

    char *jobs_dir = pxs_stats_file(o->cfg->statsdir, JOBS_DIR);

    pxs_abatch_init(&pend.batch);
    pxs_logdir_init(&logdir, o->logdir, o->ft);
    /* What a killed -j run left (we hold the lock). */
    pxs_remove_tree(jobs_dir);
    if (o->jobs > 1 && clients->n > 1) {
        jobs j = {o, clients, times, pos, skip, nskip, &logdir, jobs_dir, 0, NULL, 0, &pend, tot};
        update_jobs(&j);
    } else {
        for (size_t i = 0; i < clients->n; i++) {
            client_run c = {o, clients->v[i], &pend, skip, nskip, &logdir};
            show_progress(o, clients, i);
            client_end(o, clients, i, update_client(&c, times, pos), &pend, pos, tot);
        }
    }
    flush_pending(o, &pend, pos, tot);
    free(jobs_dir);
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
