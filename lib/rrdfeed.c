/* rrdfeed — feeding one client's databases on one machine group so that the
 * archive converges on the snapshots (issue 13, rules 1, 2 and 8; the
 * contract is in rrdstore.h, the mechanism in rrdTransfer(1)).
 *
 * A run of pxs_rrd_feed:
 *  1. puts back the databases of a feed that was killed (feedjournal.h);
 *  2. compares the snapshot versions recorded for every fed hour still
 *     covered by kept snapshots (dbupdates.h) with the snapshots on disk:
 *     a snapshot that appeared, changed or was repaired after its hour was
 *     fed is a change at that hour;
 *  3. on a change at hour H: restores the newest state older than H that it
 *     can prove equal to the snapshots (a backup whose recorded versions
 *     match the snapshots up to its end, or an empty start when every
 *     snapshot since the databases were created is still kept) and feeds
 *     again from there; when there is none, the changed hours are marked
 *     stale (reported, never silently kept);
 *  4. feeds the hours after the last one fed, one hour after another, up to
 *     the end, holding back at the first hour whose snapshots are not all
 *     there (an expected machine missing, a snapshot refused or partial)
 *     until maxWaitHours have passed; an hour fed without them is recorded
 *     incomplete, and repaired by step 3 when they arrive.
 * Every change to the databases is one journaled transaction whose commit
 * point is the atomic write of the state file. */
#include "pxstats/rrdstore.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pxstats/atomicfile.h"
#include "pxstats/dbupdates.h"
#include "pxstats/feedjournal.h"
#include "pxstats/layout.h"
#include "pxstats/merge.h"
#include "pxstats/msg.h"
#include "pxstats/pxtime.h"
#include "pxstats/rrdbackup.h"
#include "pxstats/snapshot.h"
#include "pxstats/safefs.h"
#include "pxstats/xalloc.h"

/* Hours loaded and fed per transaction: bounds memory for a long backlog
 * while keeping each database to few update calls. */
#define FEED_CHUNK_HOURS (24 * 7)

typedef struct feed {
    const char *statsdir, *client;
    pxs_filetype ft;
    const pxs_strlist *machines;
    char *group;
    int64_t end;          /* hours before it are fed */
    int64_t wait;         /* seconds an incomplete hour is held back */
    pxs_dbtype types[PXS_DB_NTYPES];
    int nt;
    char *db[PXS_DB_NTYPES];     /* paths of the databases */
    char *state_path, *journal_path;
    bool daemon;          /* updates go through rrdcached */
    bool *seen;           /* per machine: has a snapshot at an hour fed or being fed */
    pxs_feed_stats *st;
} feed;

/* The database path relative to the stats root (for the journal). */
static const char *rel_of(const feed *f, const char *path)
{
    size_t n = strlen(f->statsdir);
    return strncmp(path, f->statsdir, n) == 0 && path[n] == '/' ? path + n + 1 : path;
}

/* ---- snapshot versions ---- */

/* The version of machine m's snapshot of hour h as it is now. When was (may
 * be NULL) is a recorded version whose mtime and size the file still has,
 * it is taken as is without reading the file. */
static void describe(const feed *f, int64_t h, size_t m, const pxs_src_version *was,
                     pxs_src_version *v)
{
    char *path = pxs_pickle_path(f->statsdir, f->client, h, f->ft, f->machines->v[m]);
    struct stat st;
    memset(v, 0, sizeof *v);
    if (pxs_path_stat(path, &st) != 0) {
        /* Absent, or unreachable: either way nothing the feed could read. */
        v->state = PXS_SRC_ABSENT;
    } else if (was != NULL && was->state != PXS_SRC_ABSENT &&
               was->mtime_sec == (int64_t)st.st_mtim.tv_sec &&
               was->mtime_nsec == st.st_mtim.tv_nsec && was->size == (uint64_t)st.st_size) {
        *v = *was;
    } else {
        v->mtime_sec = (int64_t)st.st_mtim.tv_sec;
        v->mtime_nsec = st.st_mtim.tv_nsec;
        v->size = (uint64_t)st.st_size;
        v->state = pxs_snapshot_checksum(path, &v->crc) == 0 ? PXS_SRC_READ : PXS_SRC_UNREADABLE;
    }
    free(path);
}

/* True when the feed would read the same thing: both absent, the same bytes
 * (size and the snapshot's own checksum: a rewrite of equal content is no
 * change), or the same unreadable file. */
static bool same_version(const pxs_src_version *a, const pxs_src_version *b)
{
    if (a->state != b->state)
        return false;
    if (a->state == PXS_SRC_READ)
        return a->size == b->size && a->crc == b->crc;
    if (a->state == PXS_SRC_UNREADABLE)
        return a->size == b->size && a->mtime_sec == b->mtime_sec &&
               a->mtime_nsec == b->mtime_nsec;
    return true;
}

/* A snapshot refused again: named, with its cause, at every run (rule 8). */
static void refuse_again(feed *f, int64_t h, size_t m)
{
    char *path = pxs_pickle_path(f->statsdir, f->client, h, f->ft, f->machines->v[m]);
    pxs_hour tmp;
    if (pxs_snapshot_read(path, &tmp) == 0) {
        pxs_hour_free(&tmp);
    } else {
        char iso[PXS_ISO_SIZE];
        pxs_warnx("%s (its hour %s was fed without it)", pxs_error(), pxs_format_iso(h, iso));
        f->st->refused++;
    }
    free(path);
}

/* ---- values ---- */

/* The per-minute times and values of one type over a span: buckets stamped at
 * their end, NaN for the minutes of hours without a snapshot. A bucket wider
 * than a minute (collected with -i) is spread over its minutes: latency keeps
 * its mean, counts are divided evenly, so that sums over time are kept. */
static size_t span_values(const pxs_span *sp, pxs_dbtype t, int64_t *times, double *vals)
{
    size_t n = 0;
    for (int h = 0; h < sp->nhours; h++) {
        int64_t hs = sp->start + (int64_t)h * PXS_HOUR;
        const pxs_hour *hr = sp->hours[h];
        /* Buckets of whole minutes only (the collector's contract); anything
         * else cannot be placed on the one-minute step: unknown. */
        if (hr != NULL && (hr->interval < PXS_MINUTE || hr->interval % PXS_MINUTE != 0 ||
                           hr->nbuckets * (hr->interval / PXS_MINUTE) != 60)) {
            char iso[PXS_ISO_SIZE];
            pxs_warnx("%s_%s: the hour of %s has %d-second buckets: fed as unknown",
                      sp->client, sp->machine, pxs_format_iso(hs, iso), hr->interval);
            hr = NULL;
        }
        if (hr == NULL) {
            for (int m = 1; m <= 60; m++) {
                times[n] = hs + (int64_t)m * PXS_MINUTE;
                vals[n++] = NAN;
            }
            continue;
        }
        int per = hr->interval / PXS_MINUTE;
        for (int b = 0; b < hr->nbuckets; b++) {
            double v = pxs_rrd_bucket_value(&hr->buckets[b], t);
            if (pxs_dbtype_is_count(t))
                v /= per;
            for (int k = 1; k <= per; k++) {
                times[n] = hr->buckets[b].start + (int64_t)k * PXS_MINUTE;
                vals[n++] = v;
            }
        }
    }
    return n;
}

/* ---- one transaction ---- */

/* Where a rebuild starts: the files of a backup, or none (an empty start). */
typedef struct base {
    bool use;             /* install it in the first transaction */
    char *dir;            /* backup root, NULL for an empty start */
} base;

/* Puts the base's databases in place of the live ones (inside a journaled
 * transaction): copies of the backup's, or none at all. */
static int install_base(const feed *f, const base *b)
{
    for (int i = 0; i < f->nt; i++) {
        if (f->daemon)
            pxs_rrd_daemon_release(f->db[i]);
        if (b->dir == NULL) {
            if (unlink(f->db[i]) != 0 && errno != ENOENT) {
                pxs_set_error_errno("cannot remove %s", f->db[i]);
                return -1;
            }
            continue;
        }
        char *src = pxs_rrd_path(b->dir, f->ft, f->types[i], f->client, f->group);
        int rc = pxs_atomic_copy(src, f->db[i]);
        free(src);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Writes the span into every database and commits next as the state:
 * journal, (base), create and update, state, journal removed. Without
 * rrdcached every write is journaled; with it, plain updates go through the
 * daemon (a rerun skips what it already holds), and only a rebuild, done on
 * the files themselves after the daemon let go of them, is journaled. */
static int transaction(feed *f, const pxs_span *sp, const pxs_feedstate *next, const base *b)
{
    int64_t stop = sp->start + (int64_t)sp->nhours * PXS_HOUR;
    bool direct = !f->daemon || b->use;
    size_t tlen;
    char *text = pxs_feedstate_text(next, &tlen);
    pxs_journal j;
    pxs_journal_init(&j);
    int rc = 0;
    for (int i = 0; i < f->nt && rc == 0 && direct; i++) {
        if (f->daemon)
            pxs_rrd_daemon_release(f->db[i]);
        rc = pxs_journal_add_db(&j, f->statsdir, rel_of(f, f->db[i]), stop, b->use);
    }
    if (rc == 0 && direct)
        rc = pxs_journal_write(&j, f->journal_path, pxs_journal_crc(text, tlen));
    bool journaled = rc == 0 && direct;
    if (rc == 0 && b->use)
        rc = install_base(f, b);
    size_t cap = (size_t)sp->nhours * 60;
    int64_t *times = xmalloc((cap ? cap : 1) * sizeof *times);
    double *vals = xmalloc((cap ? cap : 1) * sizeof *vals);
    for (int i = 0; i < f->nt && rc == 0; i++) {
        int64_t last;
        int have = pxs_rrd_last_ex(f->db[i], &last, direct);
        if (have == 0) {
            rc = pxs_rrd_create_ex(f->db[i], f->types[i], sp->start, direct);
            f->st->created += rc == 0;
        } else if (have < 0) {
            rc = -1;
        }
        size_t n = span_values(sp, f->types[i], times, vals), written = 0;
        if (rc == 0)
            rc = pxs_rrd_update_ex(f->db[i], n, times, vals, &written, direct);
        f->st->values += written;
    }
    free(times);
    free(vals);
    if (rc == 0 && pxs_atomic_write(f->state_path, text, tlen) != 0)
        rc = -1;
    if (rc != 0 && journaled) {
        /* Nothing half done stays: the databases go back as they were. */
        char *why = xstrdup(pxs_error());
        if (pxs_journal_undo(&j, f->statsdir) != 0)
            pxs_warnx("%s (the next run puts them back from %s)", pxs_error(), f->journal_path);
        else
            unlink(f->journal_path);
        pxs_set_error("%s", why);
        free(why);
    } else if (journaled) {
        unlink(f->journal_path);
    }
    pxs_journal_free(&j);
    free(text);
    return rc;
}

/* ---- feeding hours ---- */

/* Copies a state (its hours too). */
static void state_copy(pxs_feedstate *dst, const pxs_feedstate *src)
{
    pxs_feedstate_init(dst);
    dst->fed = src->fed;
    dst->created = src->created;
    for (size_t m = 0; m < src->machines.n; m++)
        pxs_strlist_add(&dst->machines, src->machines.v[m]);
    for (size_t i = 0; i < src->n; i++)
        pxs_feedstate_add(dst, src->h[i].hour, src->h[i].status, src->h[i].src);
}

/* Loads hour h: the versions of its snapshots, then the snapshots, merged.
 * Sets *status (PXS_FED_OK when every machine expected had its snapshot read
 * and none was partial). Returns the merged hour or NULL. */
static pxs_hour *load_hour(feed *f, int64_t h, pxs_src_version *v, int *status)
{
    size_t nm = f->machines->n;
    int *got = xcalloc(nm, sizeof *got);
    /* Versions first, then the read: a snapshot replaced in between is seen
     * as changed by the next run, never the other way round. */
    for (size_t m = 0; m < nm; m++)
        describe(f, h, m, NULL, &v[m]);
    uint64_t refused = 0;
    pxs_hour *hr = pxs_hour_load(f->statsdir, f->client, f->ft, f->machines, f->group, h, got,
                                 &refused);
    f->st->refused += refused;
    bool complete = hr == NULL || !hr->partial;
    for (size_t m = 0; m < nm; m++) {
        if (got[m] < 0)
            v[m].state = PXS_SRC_UNREADABLE;   /* a bad file, or one we may not read */
        else if (got[m] > 0 && v[m].state != PXS_SRC_READ)
            v[m].state = PXS_SRC_READ;   /* replaced between stat and read */
        /* A machine is expected from its first snapshot on: statsUpdater
         * writes one for every hour from a client's first log line. */
        if (v[m].state != PXS_SRC_ABSENT)
            f->seen[m] = true;
        if (f->seen[m] && got[m] != 1)
            complete = false;
    }
    free(got);
    *status = complete ? PXS_FED_OK : PXS_FED_INCOMPLETE;
    return hr;
}

/* Feeds from s->fed up to the end, holding back at the first incomplete hour
 * at or after hold_from whose wait has not passed. The first transaction
 * installs the base b when b->use. s is updated to what was committed.
 * Returns 1 when something was fed, 0 when nothing, -1 on failure. */
static int feed_hours(feed *f, pxs_feedstate *s, int64_t hold_from, base *b)
{
    int fed = 0;
    size_t nm = f->machines->n;
    /* A base to install runs one transaction even when no hour follows it. */
    while (s->fed < f->end || b->use) {
        int64_t cs = s->fed, ce = cs + (int64_t)FEED_CHUNK_HOURS * PXS_HOUR;
        if (ce > f->end)
            ce = f->end;
        int nh = ce > cs ? (int)((ce - cs) / PXS_HOUR) : 0, fed_hours = 0;
        pxs_span sp = {.client = xstrdup(f->client), .ft = f->ft, .machine = xstrdup(f->group),
                       .start = cs, .nhours = 0};
        sp.hours = xcalloc(nh > 0 ? (size_t)nh : 1, sizeof *sp.hours);
        pxs_feedstate next;
        state_copy(&next, s);
        pxs_src_version *v = xcalloc(nm, sizeof *v);
        bool held = false;
        for (int k = 0; k < nh; k++) {
            int64_t h = cs + (int64_t)k * PXS_HOUR;
            int status;
            bool *seen_before = xmalloc(nm * sizeof *seen_before);
            memcpy(seen_before, f->seen, nm * sizeof *seen_before);
            pxs_hour *hr = load_hour(f, h, v, &status);
            if (status != PXS_FED_OK && h >= hold_from && f->end - (h + PXS_HOUR) < f->wait) {
                /* Not all there yet, and still time for it to come. */
                memcpy(f->seen, seen_before, nm * sizeof *seen_before);
                free(seen_before);
                if (hr != NULL) {
                    pxs_hour_free(hr);
                    free(hr);
                }
                held = true;
                break;
            }
            free(seen_before);
            sp.hours[k] = hr;
            sp.nhours = k + 1;
            pxs_feedstate_add(&next, h, status, v);
            fed_hours++;
        }
        free(v);
        int rc = 0;
        if (fed_hours > 0 || b->use) {
            next.fed = cs + (int64_t)fed_hours * PXS_HOUR;
            if (next.created < 0)
                next.created = cs;
            rc = transaction(f, &sp, &next, b);
            if (rc == 0) {
                b->use = false;
                pxs_feedstate_free(s);
                *s = next;
                fed = fed || fed_hours > 0;
            } else {
                pxs_feedstate_free(&next);
            }
        } else {
            pxs_feedstate_free(&next);
        }
        pxs_span_free(&sp);
        if (rc != 0)
            return -1;
        if (held) {
            char iso[PXS_ISO_SIZE];
            pxs_info("%s_%s (%s): %s held back: a snapshot is missing or unreadable "
                     "(fed without it after %lld hours)", f->client, f->group,
                     pxs_filetype_name(f->ft), pxs_format_iso(s->fed, iso),
                     (long long)(f->wait / PXS_HOUR));
            f->st->held++;
            break;
        }
    }
    return fed;
}

/* ---- what changed since the hours were fed ---- */

/* Drops the oldest recorded days whose snapshot day directory is gone
 * (pickleClean removed it): those hours cannot be checked any more. */
static void prune_days(const feed *f, pxs_feedstate *s)
{
    while (s->n > 0) {
        char *dir = pxs_pickle_day_dir(f->statsdir, f->client, s->h[0].hour);
        struct stat st;
        bool kept = pxs_path_stat(dir, &st) == 0;
        free(dir);
        if (kept)
            return;
        pxs_feedstate_drop_before(s, pxs_day_floor(s->h[0].hour) + PXS_DAY);
    }
}

/* Compares every recorded hour with the snapshots now: cur (s->n x nm) gets
 * the current versions. Returns the first hour that changed, or INT64_MAX.
 * Sets *dirty when a recorded version only got a new mtime (the same bytes:
 * recorded anew so that the next run need not read them). */
static int64_t first_change(feed *f, pxs_feedstate *s, pxs_src_version *cur, bool *dirty)
{
    size_t nm = f->machines->n;
    int64_t first = INT64_MAX;
    for (size_t i = 0; i < s->n; i++) {
        pxs_fed_hour *h = &s->h[i];
        bool changed = false;
        for (size_t m = 0; m < nm; m++) {
            pxs_src_version *c = &cur[i * nm + m];
            describe(f, h->hour, m, &h->src[m], c);
            if (!same_version(c, &h->src[m])) {
                changed = true;
            } else if (c->state == PXS_SRC_READ && (c->mtime_sec != h->src[m].mtime_sec ||
                                                   c->mtime_nsec != h->src[m].mtime_nsec)) {
                h->src[m] = *c;
                *dirty = true;
            } else if (c->state == PXS_SRC_UNREADABLE) {
                refuse_again(f, h->hour, m);
            }
        }
        if (changed && h->hour < first)
            first = h->hour;
    }
    return first;
}

/* True when the recorded hours of b before b->fed all match the snapshots
 * now (cur, for the hours of s): b's databases are then what an on-time feed
 * would have made of them. */
static bool state_matches(const feed *f, const pxs_feedstate *s, const pxs_src_version *cur,
                          const pxs_feedstate *b)
{
    size_t nm = f->machines->n;
    for (size_t i = 0; i < s->n && s->h[i].hour < b->fed; i++) {
        const pxs_fed_hour *bh = pxs_feedstate_find(b, s->h[i].hour);
        if (bh == NULL)
            return false;
        for (size_t m = 0; m < nm; m++)
            if (!same_version(&cur[i * nm + m], &bh->src[m]))
                return false;
    }
    return true;
}

static bool same_machines(const pxs_strlist *a, const pxs_strlist *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return false;
    return true;
}

/* The newest backup whose state ends at or before `before` and matches the
 * snapshots: its state in *bs and its root in *dir. Returns 1, 0 (none). */
static int find_backup(const feed *f, const pxs_feedstate *s, const pxs_src_version *cur,
                       int64_t before, pxs_feedstate *bs, char **dir)
{
    pxs_strlist names;
    pxs_strlist_init(&names);
    if (pxs_rrd_backups_list(f->statsdir, &names) != 0) {
        pxs_warnx("%s", pxs_error());
        names.n = 0;
    }
    int found = 0;
    for (size_t k = names.n; k-- > 0 && !found;) {
        char *root = pxs_rrd_backup_path(f->statsdir, names.v[k]);
        char *path = root ? pxs_dbupdates_file(root, f->ft, f->client, f->group) : NULL;
        int rc = path ? pxs_feedstate_load(path, bs) : 0;
        if (rc < 0)
            pxs_warnx("%s", pxs_error());
        bool ok = rc == 1 && bs->fed <= before && same_machines(&bs->machines, f->machines) &&
                  state_matches(f, s, cur, bs);
        for (int i = 0; ok && i < f->nt; i++) {
            char *db = pxs_rrd_path(root, f->ft, f->types[i], f->client, f->group);
            ok = access(db, R_OK) == 0;
            free(db);
        }
        if (ok) {
            *dir = root;
            root = NULL;
            found = 1;
        } else if (rc == 1) {
            pxs_feedstate_free(bs);
        }
        free(path);
        free(root);
    }
    pxs_strlist_free(&names);
    return found;
}

/* Marks the changed hours stale (their new versions recorded, so that the
 * change is reported once here and then by statsMonitor, not at every run). */
static void mark_stale(const feed *f, pxs_feedstate *s, const pxs_src_version *cur)
{
    size_t nm = f->machines->n;
    for (size_t i = 0; i < s->n; i++) {
        bool changed = false;
        for (size_t m = 0; m < nm; m++)
            changed |= !same_version(&cur[i * nm + m], &s->h[i].src[m]);
        if (!changed)
            continue;
        s->h[i].status = PXS_FED_STALE;
        memcpy(s->h[i].src, &cur[i * nm], nm * sizeof *cur);
    }
}

/* ---- the feed of one (client, group) ---- */

/* The lowest last update of the existing databases; *missing when one does
 * not exist. Returns 0 or -1. */
static int lowest_last(const feed *f, int64_t *low, bool *missing)
{
    *low = INT64_MAX;
    *missing = false;
    for (int i = 0; i < f->nt; i++) {
        int64_t last;
        int have = pxs_rrd_last(f->db[i], &last);
        if (have < 0)
            return -1;
        if (have == 0)
            *missing = true;
        else if (last < *low)
            *low = last;
    }
    return 0;
}

/* Where an existing state stands: rebuilt from a base when a snapshot
 * changed (or a database is missing), or fed again from what the databases
 * hold (rrdcached lost queued values). Sets *b, the hour from which hours are
 * held back, and may replace *s. Returns 0, or -1 on failure (pxs_error). */
static int reconcile(feed *f, pxs_feedstate *s, base *b, int64_t *hold_from)
{
    size_t nm = f->machines->n;
    bool dirty = false, missing;
    int64_t low, first_snap;
    prune_days(f, s);
    pxs_src_version *cur = xcalloc(s->n * nm + 1, sizeof *cur);
    int64_t change = first_change(f, s, cur, &dirty);
    /* Machines seen in the recorded hours: expected in the next ones. */
    for (size_t i = 0; i < s->n * nm; i++)
        if (cur[i].state != PXS_SRC_ABSENT)
            f->seen[i % nm] = true;
    if (s->created >= 0 && pxs_rrd_first_snapshot(f->statsdir, f->client, f->ft, f->machines,
                                                  &first_snap) == 1 &&
        first_snap < s->created && first_snap < change)
        change = first_snap;   /* a snapshot older than the databases appeared */
    if (lowest_last(f, &low, &missing) != 0) {
        free(cur);
        return -1;
    }
    if (missing && s->fed < change)
        change = s->fed;   /* a deleted database: rebuilt like a change */
    *hold_from = s->fed;
    if (change != INT64_MAX) {
        pxs_feedstate bs;
        char *dir = NULL, iso[PXS_ISO_SIZE];
        bool rebuild = true;
        pxs_format_iso(change, iso);
        if (find_backup(f, s, cur, change, &bs, &dir)) {
            pxs_info("%s_%s (%s): snapshots changed at %s: rebuilt from backup %s", f->client,
                     f->group, pxs_filetype_name(f->ft), iso, dir);
        } else if (s->created >= 0 && (s->n > 0 ? s->h[0].hour : s->fed) == s->created) {
            /* Every hour since the databases were created is still checked
             * against kept snapshots: start them again, from the earliest
             * snapshot if one older than them appeared. */
            pxs_feedstate_init(&bs);
            bs.created = s->created;
            if (pxs_rrd_first_snapshot(f->statsdir, f->client, f->ft, f->machines,
                                       &first_snap) == 1 &&
                first_snap < bs.created)
                bs.created = first_snap;
            bs.fed = bs.created;
            for (size_t m = 0; m < nm; m++)
                pxs_strlist_add(&bs.machines, f->machines->v[m]);
            pxs_info("%s_%s (%s): snapshots changed at %s: rebuilt from the kept snapshots",
                     f->client, f->group, pxs_filetype_name(f->ft), iso);
        } else if (missing && change == s->fed) {
            /* Only a database deleted, and nothing to rebuild it from: it is
             * made again from here (the others are whole). */
            pxs_warnx("%s_%s (%s): a database is missing and neither a backup nor every "
                      "snapshot since the databases were created is kept: it starts again "
                      "at %s", f->client, f->group, pxs_filetype_name(f->ft), iso);
            f->st->stale++;
            rebuild = false;
        } else {
            pxs_warnx("%s_%s (%s): the snapshots of %s changed after it was fed, and neither "
                      "a backup older than that hour matching the snapshots nor every snapshot "
                      "since %s is kept: the hours keep their values, marked stale "
                      "(see rrdTransfer(1))", f->client, f->group, pxs_filetype_name(f->ft),
                      iso, s->created >= 0 ? "the databases were created" : "their creation");
            mark_stale(f, s, cur);
            f->st->stale++;
            dirty = true;
            rebuild = false;
        }
        if (rebuild) {
            b->use = true;
            b->dir = dir;
            f->st->rebuilt++;
            pxs_feedstate_free(s);
            *s = bs;
            prune_days(f, s);   /* a backup's record may hold days cleaned since */
            /* Hours seen again from the base on. */
            memset(f->seen, 0, nm * sizeof *f->seen);
            for (size_t i = 0; i < s->n; i++)
                for (size_t m = 0; m < nm; m++)
                    f->seen[m] |= s->h[i].src[m].state != PXS_SRC_ABSENT;
        }
    } else if (!missing && low < s->fed) {
        /* The databases hold less than the state says (rrdcached died with
         * queued values): those hours are fed again. */
        int64_t from = pxs_hour_floor(low);
        char iso[PXS_ISO_SIZE];
        pxs_warnx("%s_%s (%s): the databases end at %s, before the recorded feed: fed again "
                  "from there", f->client, f->group, pxs_filetype_name(f->ft),
                  pxs_format_iso(from, iso));
        pxs_feedstate_drop_from(s, from);
        s->fed = from > s->created ? from : s->created;
        dirty = true;
    }
    if (dirty && !b->use && pxs_feedstate_save(f->state_path, s) != 0) {
        free(cur);
        return -1;
    }
    free(cur);
    return 0;
}

int pxs_rrd_feed(const char *statsdir, const char *client, pxs_filetype ft,
                 const pxs_strlist *machines, int64_t end, int max_wait_hours,
                 pxs_feed_stats *st)
{
    feed f = {.statsdir = statsdir, .client = client, .ft = ft, .machines = machines,
              .end = pxs_hour_floor(end), .wait = (int64_t)max_wait_hours * PXS_HOUR, .st = st};
    if (machines->n == 0) {
        pxs_set_error("no machine given for %s", client);
        return -1;
    }
    if (pxs_name_check("client", client) != 0)
        return -1;
    for (size_t m = 0; m < machines->n; m++)
        if (pxs_name_check("machine", machines->v[m]) != 0)
            return -1;
    f.group = pxs_group_name(machines);
    f.nt = pxs_dbtypes_of(ft, f.types);
    for (int i = 0; i < f.nt; i++)
        f.db[i] = pxs_rrd_path(statsdir, ft, f.types[i], client, f.group);
    f.state_path = pxs_dbupdates_file(statsdir, ft, client, f.group);
    f.journal_path = pxs_feed_journal_path(statsdir, ft, client, f.group);
    f.daemon = pxs_rrd_daemon() != NULL;
    f.seen = xcalloc(machines->n, sizeof *f.seen);

    pxs_feedstate s;
    base b = {0};
    int64_t hold_from = INT64_MIN, start = 0;
    uint64_t created0 = st->created;
    /* Under the rrdTransfer lock: temporaries that a killed run left beside
     * the state and the databases are nobody's. */
    pxs_afile_clean_stale(f.state_path);
    for (int i = 0; i < f.nt; i++)
        pxs_rrd_clean_temporaries(f.db[i]);
    int rc = pxs_journal_recover(statsdir, f.journal_path, f.state_path) < 0 ? -1 : 0;
    int have = rc == 0 ? pxs_feedstate_load(f.state_path, &s) : -1;
    if (have < 0) {
        rc = -1;
        pxs_feedstate_init(&s);
    } else if (have == 1 && s.machines.n > 0 && !same_machines(&s.machines, machines)) {
        char *was = pxs_strlist_join(&s.machines, ","), *now = pxs_strlist_join(machines, ",");
        pxs_set_error("%s: fed for the machines %s, not %s (two groups make the name %s)",
                      f.state_path, was, now, f.group);
        free(was);
        free(now);
        rc = -1;
    } else if (have == 1) {
        if (s.machines.n == 0)   /* a state of the original's form: no record yet */
            for (size_t m = 0; m < machines->n; m++)
                pxs_strlist_add(&s.machines, machines->v[m]);
        rc = reconcile(&f, &s, &b, &hold_from) < 0 ? -1 : 0;
    } else if (pxs_rrd_first_snapshot(statsdir, client, ft, machines, &start) == 1) {
        /* Never fed: from the earliest snapshot. Databases found without a
         * state (a replay) keep what they hold: values up to their last
         * update are skipped. */
        start = pxs_hour_floor(start);
        s.fed = s.created = start;
        for (size_t m = 0; m < machines->n; m++)
            pxs_strlist_add(&s.machines, machines->v[m]);
        hold_from = start;
    } else {
        rc = 1;   /* nothing to feed from */
    }
    int fed = 0;
    if (rc == 0) {
        start = s.fed;
        fed = feed_hours(&f, &s, hold_from, &b);
        if (fed < 0)
            rc = -1;
    }
    if (fed > 0) {
        st->databases += (uint64_t)f.nt;
        st->groups_fed++;
        char a[PXS_ISO_SIZE], c[PXS_ISO_SIZE];
        pxs_info("%s_%s (%s): fed %s .. %s%s", client, f.group, pxs_filetype_name(ft),
                 pxs_format_iso(start, a), pxs_format_iso(s.fed, c),
                 st->created > created0 ? ", databases created" : "");
    }
    pxs_feedstate_free(&s);
    free(b.dir);
    for (int i = 0; i < f.nt; i++)
        free(f.db[i]);
    free(f.seen);
    free(f.state_path);
    free(f.journal_path);
    free(f.group);
    if (rc < 0)
        return -1;
    return rc == 1 ? 0 : fed;
}
