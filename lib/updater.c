/* updater — statsUpdater's job (see updater.h for the durability contract).
 *
 * For one client: decide which log files hold uncollected lines, stream them
 * in order, cut the records into hours, write each hour's snapshot as soon as
 * the stream has moved past it, then commit PICKLED-TIMES and, last,
 * PICKLED_FILE_POSITIONS.
 *
 * Why this order is safe: lines older than the last-update time are always
 * skipped by time, so positions are only a shortcut. A crash after the times
 * were saved but before the positions leaves old positions, which are then
 * re-read and filtered by time: nothing is counted twice, nothing lost. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pxstats/atomicfile.h"
#include "pxstats/layout.h"
#include "pxstats/lock.h"
#include "pxstats/logfiles.h"
#include "pxstats/logscan.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/runlog.h"
#include "pxstats/snapshot.h"
#include "pxstats/strlist.h"
#include "pxstats/state.h"
#include "pxstats/updater.h"
#include "pxstats/xalloc.h"

/* ---- file identity ------------------------------------------------------- */

/* CRC-32 of the first bytes of a file (at most PXS_FP_MAX). */
static int fingerprint(const char *path, uint32_t *len, uint32_t *crc)
{
    unsigned char buf[PXS_FP_MAX];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = pread(fd, buf, sizeof buf, 0);
    close(fd);
    if (n < 0)
        return -1;
    *len = (uint32_t)n;
    *crc = (uint32_t)crc32(0, buf, (uInt)n);
    return 0;
}

/* Same first bytes as when the position was saved? */
static bool fingerprint_matches(const char *path, const pxs_position *pos)
{
    unsigned char buf[PXS_FP_MAX];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return false;
    n = pread(fd, buf, pos->fp_len, 0);
    close(fd);
    return n == (ssize_t)pos->fp_len && (uint32_t)crc32(0, buf, (uInt)n) == pos->fp_crc;
}

/* The uncompressed size recorded in a gzip trailer (modulo 2^32). */
static uint64_t gzip_isize(const char *path, uint64_t size)
{
    unsigned char b[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint64_t v = 0;

    if (fd >= 0 && size >= 4 && pread(fd, b, 4, (off_t)size - 4) == 4)
        v = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
    if (fd >= 0)
        close(fd);
    return v;
}

/* The offset that means "read to the end": the size of a plain file; for a
 * gzip file (never appended to once rotated) its trailer's size. */
static uint64_t end_offset(const pxs_logfile *f)
{
    return f->gz ? gzip_isize(f->path, f->size) : f->size;
}

static bool consumed(const pxs_logfile *f, uint64_t offset)
{
    return f->gz ? (offset & 0xffffffffu) == end_offset(f) : offset == f->size;
}

/* ---- what a run has done but not yet published ----------------------------- */

/* Snapshots go out in batches (one syncfs for hundreds of files); the state of
 * the clients whose snapshots are in a batch advances only once it is out. */
typedef struct pending {
    pxs_abatch batch;       /* snapshots written, not yet published */
    pxs_positions pos;      /* new positions of the clients below */
    pxs_strlist clients;    /* clients whose last-update time advances... */
    int64_t *ends;          /* ...to these times */
    size_t ends_cap;
} pending;

/* Snapshots per batch: enough to amortise the sync, few enough to bound the
 * work a crash throws away. */
#define BATCH_FILES 512

/* ---- the hours of one run ------------------------------------------------ */

typedef struct run {
    const pxs_update_opts *o;
    const char *client;
    int64_t start;          /* first hour to collect */
    int64_t end;            /* end of the complete hours */
    int64_t stop;           /* records at or after this are left for later */
    pxs_hour cur;
    bool have_cur;
    int64_t next_unwritten; /* every hour in [start, next_unwritten) is on disk */
    const pxs_logfile *file;
    const pxs_logfile *noted; /* the file already named in cur's list of files */
    bool resumed;           /* the current file was entered at a saved position */
    bool have_commit;       /* the current file met a line at/after end */
    uint64_t commit;        /* ...and this is its offset */
    int failed;
    pending *pend;
} run;

static void open_hour(run *r, int64_t hour)
{
    const pxs_update_opts *o = r->o;

    pxs_hour_init(&r->cur, r->client, o->machine, o->ft, hour, o->interval_min,
                  o->cfg->max_latency, o->types);
    r->cur.partial = hour >= r->end;
    r->have_cur = true;
    r->noted = NULL;
}

static int write_hour(run *r, pxs_hour *h)
{
    char *path = pxs_pickle_path(r->o->cfg->statsdir, r->client, h->start, r->o->ft, r->o->machine);
    unsigned char *buf;
    size_t len;
    int rc;

    pxs_hour_compute(h);
    /* We hold the statsUpdater lock: leftovers of a killed run can go. */
    if (pxs_abatch_pending(&r->pend->batch, path) == NULL)
        pxs_afile_clean_stale(path);
    pxs_snapshot_encode(h, &buf, &len);
    rc = pxs_abatch_write(&r->pend->batch, path, buf, len);
    free(buf);
    if (rc != 0) {
        pxs_warnx("%s", pxs_error());
        r->failed = 1;
    }
    free(path);
    return rc;
}

/* Writes the current hour and the empty hours up to (not including) upto. */
static int flush_until(run *r, int64_t upto)
{
    if (r->have_cur && r->cur.start < upto) {
        int rc = write_hour(r, &r->cur);
        if (r->cur.start + PXS_HOUR > r->next_unwritten)
            r->next_unwritten = r->cur.start + PXS_HOUR;
        pxs_hour_free(&r->cur);
        r->have_cur = false;
        if (rc != 0)
            return -1;
    }
    while (r->next_unwritten < upto) {
        pxs_hour empty;
        int rc;
        pxs_hour_init(&empty, r->client, r->o->machine, r->o->ft, r->next_unwritten,
                      r->o->interval_min, r->o->cfg->max_latency, r->o->types);
        empty.partial = r->next_unwritten >= r->end;
        rc = write_hour(r, &empty);
        pxs_hour_free(&empty);
        if (rc != 0)
            return -1;
        r->next_unwritten += PXS_HOUR;
    }
    return 0;
}

/* A record for an hour already written in this run (lines out of order across
 * files): read it back, add, write again. Rare, so simple. */
static int add_to_written(run *r, const pxs_record *rec, pxs_line_kind kind, int64_t hour)
{
    char *path = pxs_pickle_path(r->o->cfg->statsdir, r->client, hour, r->o->ft, r->o->machine);
    const char *pending_copy = pxs_abatch_pending(&r->pend->batch, path);
    pxs_hour h;
    int rc;

    rc = pxs_snapshot_read(pending_copy ? pending_copy : path, &h);
    free(path);
    if (rc != 0)
        return -1;
    if (kind == PXS_LINE_MALFORMED)
        h.malformed++;
    else
        pxs_hour_add(&h, rec, kind == PXS_LINE_ERROR);
    pxs_hour_note_file(&h, r->file->path);
    rc = write_hour(r, &h);
    pxs_hour_free(&h);
    return rc;
}

/* The hour a malformed line belongs to, or -1 when it was collected before.
 * It has no time of its own: it goes with the last good line before it. */
static int64_t malformed_hour(const run *r, int64_t last_good)
{
    if (last_good >= 0)
        return last_good >= r->start ? pxs_hour_floor(last_good) : -1;
    if (r->resumed)
        return r->have_cur ? r->cur.start : r->start;
    /* Top of a file read from its start: with the file's first timed line. */
    return r->file->first >= r->start ? pxs_hour_floor(r->file->first) : -1;
}

static int sink(void *arg, pxs_line_kind kind, const pxs_record *rec, uint64_t offset)
{
    run *r = arg;
    int64_t t = rec->time, hour;

    if (kind == PXS_LINE_MALFORMED && !rec->timed) {
        hour = malformed_hour(r, t);
        if (hour < 0 || hour >= r->stop)
            return 0;
    } else {
        /* Data, errors, and malformed lines that carry their own time. */
        if (t < r->start)
            return 0;          /* collected by an earlier run */
        if (t >= r->stop)
            return 1;          /* not yet: the position stays before it */
        if (t >= r->end && !r->have_commit) {
            r->have_commit = true;
            r->commit = offset;
        }
        hour = pxs_hour_floor(t);
    }
    if (r->have_cur && hour < r->cur.start)
        return add_to_written(r, rec, kind, hour) == 0 ? 0 : -1;
    if (!r->have_cur || hour > r->cur.start) {
        if (flush_until(r, hour) != 0)
            return -1;
        if (hour < r->next_unwritten)
            return add_to_written(r, rec, kind, hour) == 0 ? 0 : -1;
        open_hour(r, hour);
        r->next_unwritten = hour;
    }
    if (kind == PXS_LINE_MALFORMED)
        r->cur.malformed++;
    else
        pxs_hour_add(&r->cur, rec, kind == PXS_LINE_ERROR);
    /* Once per file and hour, not once per line: the list is searched. */
    if (r->noted != r->file) {
        pxs_hour_note_file(&r->cur, r->file->path);
        r->noted = r->file;
    }
    return 0;
}

/* ---- one client ---------------------------------------------------------- */

static void keep_position(pxs_positions *pos, const run *r, const pxs_logfile *f, uint64_t offset)
{
    pxs_position p = {0};

    if (fingerprint(f->path, &p.fp_len, &p.fp_crc) != 0) {
        pxs_warn("%s: cannot read its first bytes", f->path);
        return;
    }
    p.path = f->path;
    p.dev = f->dev;
    p.ino = f->ino;
    p.offset = offset;
    p.machine = (char *)r->o->machine;
    p.client = (char *)r->client;
    p.ft = r->o->ft;
    pxs_positions_set(pos, &p);
}

/* Where to start reading f: a saved position when it is still valid, else 0.
 * Returns false when the file has nothing for this run. */
static bool start_offset(run *r, pxs_positions *pos, const pxs_logfile *f, uint64_t *offset)
{
    pxs_position *p = pxs_positions_find(pos, f->dev, f->ino);
    int64_t last;

    *offset = 0;
    r->resumed = false;
    /* An inode freed by a deleted log and reused by another client's file. */
    if (p != NULL && (p->ft != r->o->ft || strcmp(p->machine, r->o->machine) != 0 ||
                      strcmp(p->client, r->client) != 0))
        p = NULL;
    if (p != NULL) {
        bool plain_shrunk = !f->gz && p->offset > f->size;
        if (!plain_shrunk && fingerprint_matches(f->path, p)) {
            if (consumed(f, p->offset)) {
                keep_position(&r->pend->pos, r, f, p->offset);
                return false;
            }
            *offset = p->offset;
            r->resumed = true;
            return true;
        }
        pxs_warnx("%s: truncated or replaced since the last run; reading it from the start",
                  f->path);
    }
    if (f->first < 0 || f->first >= r->stop)
        return false;
    /* A gzip file has no way to its end but through it: reading it whole (old
     * lines are skipped by time) costs what looking for its last line would. */
    if (!f->gz && pxs_logfile_last_time(f->path, false, &last) && last < r->start) {
        /* Old content only: remember it as read so later runs skip it. */
        keep_position(&r->pend->pos, r, f, end_offset(f));
        return false;
    }
    return true;
}

static int scan_files(run *r, pxs_positions *pos, const pxs_logfiles *files)
{
    for (size_t i = 0; i < files->n; i++) {
        const pxs_logfile *f = &files->f[i];
        pxs_scan_result res;
        uint64_t offset;

        if (!start_offset(r, pos, f, &offset))
            continue;
        r->file = f;
        r->have_commit = false;
        if (pxs_logscan_file(f->path, f->gz, offset, r->o->ft, (r->o->types & PXS_T_ERRORS) != 0,
                             sink, r, &res) != 0) {
            pxs_warnx("%s", pxs_error());
            return -1;
        }
        if (r->failed)
            return -1;
        keep_position(&r->pend->pos, r, f, r->have_commit ? r->commit : res.offset);
    }
    return 0;
}

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

/* Publishes the pending snapshots, then the state of their clients: times
 * first, positions last (see the top of this file). Returns the number of
 * clients whose state could not advance. */
static int flush_pending(const pxs_update_opts *o, pending *pend, pxs_positions *pos)
{
    pxs_times times;
    size_t n = pend->clients.n;
    int rc = pxs_abatch_commit(&pend->batch);

    if (rc == 0 && n > 0) {
        /* Re-read under the lock: the file is ours, but stay exact. */
        rc = pxs_times_load(o->cfg->statsdir, &times);
        if (rc == 0) {
            for (size_t i = 0; i < n; i++)
                pxs_times_set(&times, o->machine, o->ft, pend->clients.v[i], pend->ends[i]);
            clean_state_leftovers(o->cfg->statsdir);
            rc = pxs_times_save(o->cfg->statsdir, &times);
            pxs_times_free(&times);
        }
        /* A client's positions are replaced whole: those of log files that
         * no longer exist go (their inodes may be reused). */
        for (size_t i = 0; rc == 0 && i < n; i++)
            pxs_positions_drop(pos, o->machine, o->ft, pend->clients.v[i]);
        for (size_t i = 0; rc == 0 && i < pend->pos.n; i++)
            pxs_positions_set(pos, &pend->pos.e[i]);
        if (rc == 0)
            rc = pxs_positions_save(o->cfg->statsdir, pos);
    }
    if (rc != 0)
        pxs_warnx("%s", pxs_error());
    pxs_positions_free(&pend->pos);
    pxs_strlist_free(&pend->clients);
    return rc == 0 ? 0 : (int)n;
}

/* Hours before the oldest line of the logs are not known to be silent (the
 * logs were rotated away, or the client did not exist): no empty snapshot is
 * written for them, even when the last update lies further back. */
static void raise_start_to_logs(run *r, const pxs_logfiles *files)
{
    int64_t oldest = -1;

    for (size_t i = 0; i < files->n; i++)
        if (files->f[i].first >= 0 && (oldest < 0 || files->f[i].first < oldest))
            oldest = files->f[i].first;
    if (oldest >= 0 && pxs_hour_floor(oldest) > r->start) {
        r->start = pxs_hour_floor(oldest) < r->end ? pxs_hour_floor(oldest) : r->end;
        r->next_unwritten = r->start;
    }
}

static int update_client(const pxs_update_opts *o, const char *client, const pxs_times *times,
                         pxs_positions *pos, pending *pend)
{
    run r = {0};
    pxs_logfiles files;
    int64_t last;
    int rc = 0;

    r.o = o;
    r.client = client;
    r.pend = pend;
    r.end = pxs_hour_floor(o->date);
    r.stop = o->now ? o->date : r.end;
    r.start = pxs_times_get(times, o->machine, o->ft, client, &last) ? pxs_hour_floor(last)
                                                                      : r.end - PXS_HOUR;
    if (r.start >= r.end && !(o->now && r.stop > r.end)) {
        pxs_info("%s_%s: up to date", pxs_filetype_name(o->ft), client);
        return 0;
    }
    if (r.start > r.end)
        r.start = r.end;
    r.next_unwritten = r.start;
    if (pxs_logfiles_list(o->logdir, o->ft, client, &files) != 0) {
        pxs_warnx("%s", pxs_error());
        return -1;
    }
    if (files.n == 0) {
        /* Empty snapshots would claim "no traffic" where we know nothing. */
        pxs_logfiles_free(&files);
        if (o->listed_all) {
            pxs_info("%s_%s: no log file in %s, skipped", pxs_filetype_name(o->ft), client,
                     o->logdir);
            return 0;
        }
        pxs_warnx("%s/%s_%s.log: no such log file", o->logdir, pxs_filetype_name(o->ft), client);
        return -1;
    }
    raise_start_to_logs(&r, &files);
    if (scan_files(&r, pos, &files) != 0 ||
        flush_until(&r, r.stop > r.end ? r.end + PXS_HOUR : r.end) != 0)
        rc = -1;
    if (r.have_cur)
        pxs_hour_free(&r.cur);
    pxs_logfiles_free(&files);
    if (rc != 0) {
        /* Its snapshots may still be published (rewritten alike next time);
         * its state must not move. */
        pxs_positions_drop(&pend->pos, o->machine, o->ft, client);
        return -1;
    }
    if (r.end > r.start) {
        xgrow((void **)&pend->ends, &pend->ends_cap, pend->clients.n + 1, sizeof *pend->ends);
        pend->ends[pend->clients.n] = r.end;
        pxs_strlist_add(&pend->clients, client);
    }
    return 0;
}

static int update_all(const pxs_update_opts *o, const pxs_strlist *clients, const pxs_times *times,
                      pxs_positions *pos)
{
    pending pend = {0};
    int failed = 0;

    pxs_abatch_init(&pend.batch);
    for (size_t i = 0; i < clients->n; i++) {
        if (o->progress)
            fprintf(stderr, "\r%s: %zu/%zu %s_%s\033[K", pxs_progname(), i + 1, clients->n,
                    pxs_filetype_name(o->ft), clients->v[i]);
        if (update_client(o, clients->v[i], times, pos, &pend) != 0) {
            pxs_warnx("%s_%s: not updated; its state is unchanged and the next run retries",
                      pxs_filetype_name(o->ft), clients->v[i]);
            failed++;
        }
        if (pend.batch.tmp.n >= BATCH_FILES)
            failed += flush_pending(o, &pend, pos);
    }
    failed += flush_pending(o, &pend, pos);
    free(pend.ends);
    if (o->progress && clients->n > 0)
        fputc('\n', stderr);
    return failed;
}

int pxs_update_clients(const pxs_update_opts *o, const pxs_strlist *clients)
{
    pxs_lock lock;
    pxs_times times;
    pxs_positions pos;
    int failed, lk;

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
    failed = update_all(o, clients, &times, &pos);
    pxs_runlog(o->cfg->statsdir, "machine %s, %s: %zu clients updated, %d failed, up to %s",
               o->machine, pxs_filetype_name(o->ft), clients->n - (size_t)failed, failed,
               pxs_format_iso(pxs_hour_floor(o->date), (char[PXS_ISO_SIZE]){0}));
    pxs_positions_free(&pos);
    pxs_times_free(&times);
    pxs_lock_release(&lock);
    return failed ? 1 : 0;
}

/* ---- the partial hour of graphGen -n ------------------------------------- */

typedef struct window {
    int64_t start, end;
    pxs_hour *hours;
    const char *path;
} window;

static int window_sink(void *arg, pxs_line_kind kind, const pxs_record *rec, uint64_t offset)
{
    window *w = arg;

    (void)offset;
    if (kind == PXS_LINE_MALFORMED || rec->time < w->start)
        return 0;
    if (rec->time >= w->end)
        return 1;
    pxs_hour_add(&w->hours[(rec->time - w->start) / PXS_HOUR], rec, kind == PXS_LINE_ERROR);
    pxs_hour_note_file(&w->hours[(rec->time - w->start) / PXS_HOUR], w->path);
    return 0;
}

int pxs_collect_window(const pxs_update_opts *o, const char *client, int64_t start, int64_t end,
                       pxs_hour **hours, int *nhours)
{
    window w;
    pxs_logfiles files;
    int n;

    start = pxs_hour_floor(start);
    n = end > start ? (int)((end - start + PXS_HOUR - 1) / PXS_HOUR) : 0;
    w = (window){start, end, xcalloc((size_t)(n ? n : 1), sizeof(pxs_hour)), NULL};
    for (int i = 0; i < n; i++) {
        pxs_hour_init(&w.hours[i], client, o->machine, o->ft, start + (int64_t)i * PXS_HOUR,
                      o->interval_min, o->cfg->max_latency, o->types);
        w.hours[i].partial = start + (int64_t)(i + 1) * PXS_HOUR > end;
    }
    if (n > 0 && pxs_logfiles_find(o->logdir, o->ft, client, start, end - 1, &files) == 0) {
        for (size_t i = 0; i < files.n; i++) {
            pxs_scan_result res;
            w.path = files.f[i].path;
            if (pxs_logscan_file(files.f[i].path, files.f[i].gz, 0, o->ft,
                                 (o->types & PXS_T_ERRORS) != 0, window_sink, &w, &res) != 0)
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
