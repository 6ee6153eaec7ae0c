/* rrdstore — the ten-year archive: RRD databases fed from the hourly snapshots
 * through librrd's C API (DESIGN.md §5).
 *
 * Layout: databases/<ft>/<type>/<client>_<machine>, one database per file
 * type, data type, client (or source) and machine group (the machines
 * concatenated), so that a tx client and an rx source of one name never
 * share a database; step 60 s;
 * one GAUGE data source named after the type, heartbeat 60, min/max U; RRAs
 * AVERAGE, MIN and MAX at xff 0.5: 1x7200, 60x336, 240x1460, 1440x3650.
 *
 * Feeding: each one-minute bucket is one value stamped at the bucket's END
 * (rrd draws (t, v) over (t-60, t]): latency = mean, bytecount and errors =
 * totals, filecount = nbFiles, filesOverMaxLatency = its count. A minute of a
 * present snapshot without traffic is 0; every minute of an hour without a
 * snapshot is fed as unknown ("U"), so that fetch shows NaN there. Values go in
 * batches (one update call per database and per week of data), strictly
 * increasing, and values at or before the database's last update are skipped,
 * so that a rerun or a replay never fails with "illegal attempt to update".
 *
 * librrd 1.7.2 takes non-blocking fcntl locks, in readers too: a call that
 * fails with "could not lock RRD" is retried (pxs_rrd_retry_lock) rather than
 * failing the run. When RRDCACHED_ADDRESS is set, creation, last-update queries
 * and updates go through rrdcached (librrd's rrdc_* API). */
#ifndef PXSTATS_RRDSTORE_H
#define PXSTATS_RRDSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collector.h"
#include "names.h"
#include "strlist.h"

/* The data types of the archive, in the order databases are fed and listed. */
typedef enum pxs_dbtype {
    PXS_DB_LATENCY = 0,
    PXS_DB_BYTECOUNT,
    PXS_DB_ERRORS,
    PXS_DB_FILECOUNT,
    PXS_DB_FILESOVER,   /* "filesOverMaxLatency" */
    PXS_DB_NTYPES
} pxs_dbtype;

#define PXS_RRD_STEP 60

/* "latency", "bytecount", "errors", "filecount", "filesOverMaxLatency". */
const char *pxs_dbtype_name(pxs_dbtype t);
/* True for the types that count things (all but latency): their consolidated
 * averages are scaled back to per-point totals when drawn. */
bool pxs_dbtype_is_count(pxs_dbtype t);
/* The types of ft in order (tx: all five; rx: bytecount, errors, filecount).
 * Returns how many were stored in out. */
int pxs_dbtypes_of(pxs_filetype ft, pxs_dbtype out[PXS_DB_NTYPES]);
/* Parses a comma list of type names (or "All", NULL, "") into a mask of
 * (1u << type), refusing the latency types for rx. Returns 0 or -1 (pxs_error). */
int pxs_dbtypes_parse(const char *text, pxs_filetype ft, unsigned *mask);

/* <stats>/databases/<ft>/<type>/<client>_<machine> (fresh string; layout.h). */
char *pxs_rrd_path(const char *statsdir, pxs_filetype ft, pxs_dbtype t, const char *client,
                   const char *machine);

/* The value of a bucket for a type (see the header comment). */
double pxs_rrd_bucket_value(const pxs_bucket *b, pxs_dbtype t);

/* The rrdcached address (RRDCACHED_ADDRESS), or NULL when unset or empty. */
const char *pxs_rrd_daemon(void);

/* path made absolute against the current directory (fresh string): rrdcached
 * resolves a relative path against its own base directory, not ours. */
char *pxs_rrd_abs_path(const char *path);

/* Call after a librrd function failed: when its error was a lock held by
 * another process, sleeps a little and returns true (try again) while
 * *attempts (start at 0) stays under about a minute of waiting; else false. */
bool pxs_rrd_retry_lock(int *attempts);

/* Creates path (and its directories) with the layout above and last update
 * time last_up. Returns 0 or -1 (pxs_error names the file and librrd's cause). */
int pxs_rrd_create(const char *path, pxs_dbtype t, int64_t last_up);

/* The last update time of path. Returns 1 and sets *last, 0 when the file does
 * not exist, -1 on failure (pxs_error set). */
int pxs_rrd_last(const char *path, int64_t *last);

/* Writes the n values (times strictly increasing; NaN = unknown) into path in
 * batches, skipping those at or before its last update. *written (may be NULL)
 * gets the number of values written. Returns 0 or -1 (pxs_error set). */
int pxs_rrd_update(const char *path, size_t n, const int64_t *times, const double *values,
                   size_t *written);

/* The same three, never through rrdcached when direct is set: the feed's
 * journal (feedjournal.h) covers only what this process writes itself. */
int pxs_rrd_create_ex(const char *path, pxs_dbtype t, int64_t last_up, bool direct);
int pxs_rrd_last_ex(const char *path, int64_t *last, bool direct);
int pxs_rrd_update_ex(const char *path, size_t n, const int64_t *times, const double *values,
                      size_t *written, bool direct);
/* Removes what a killed writer of the database path left beside it: the
 * dot files ".<name>.*" (atomicfile's copies, the ".<name>.new" a creation
 * is made in, and librrd's own temporary of it), never a ".journal". Only
 * for a caller holding the rrdTransfer lock. */
void pxs_rrd_clean_temporaries(const char *path);
/* With RRDCACHED_ADDRESS set: makes rrdcached write out what it holds for
 * path, then forget the file (no update of it stays queued); else nothing. */
void pxs_rrd_daemon_release(const char *path);

/* The start of the earliest hourly snapshot of client (ft) for the group:
 * any file pickles/<client>/<day>/<ft>/<m>_<HH> where m is one of machines or
 * their group name. Returns 1 and sets *t, 0 when there is none, -1 on error. */
int pxs_rrd_first_snapshot(const char *statsdir, const char *client, pxs_filetype ft,
                           const pxs_strlist *machines, int64_t *t);

typedef struct pxs_feed_stats {
    uint64_t databases;   /* databases that received values */
    uint64_t created;     /* databases created */
    uint64_t values;      /* values written (unknowns included) */
    uint64_t groups_fed;  /* (client, group) pairs that had something new */
    uint64_t failed;      /* (client, group) pairs that failed */
    uint64_t refused;     /* snapshots refused (unreadable: named on stderr) */
    uint64_t rebuilt;     /* database sets rebuilt because snapshots changed */
    uint64_t held;        /* (client, group) pairs holding back an incomplete hour */
    uint64_t stale;       /* database sets whose changed hours could not be rebuilt */
} pxs_feed_stats;

/* Feeds every database of (client, ft, machine group) so that it converges
 * on the snapshots (the mechanism: lib/rrdfeed.c and rrdTransfer(1)):
 *   - a feed killed earlier is undone first (feedjournal.h);
 *   - every fed hour still covered by kept snapshots is compared with the
 *     snapshots on disk (mtime, size, checksum: dbupdates.h); on a change,
 *     the databases are rebuilt from the newest state older than it that is
 *     proven equal to the snapshots — a backup (rrdbackup.h), or an empty
 *     start when all the snapshots since their creation are kept — else the
 *     changed hours are recorded stale and warned about;
 *   - new hours are fed from the DATABASE-UPDATES time (else from the earliest
 *     snapshot) up to end (rounded down to the hour), in journaled
 *     transactions of up to a week; an hour whose snapshots are not all there
 *     (a machine that had snapshots before has none, a snapshot is refused or
 *     partial) is held back, with every hour after it, until max_wait_hours
 *     have passed since its end, then fed and recorded incomplete.
 * A missing database is created. Returns 1 when something was fed, 0 when
 * there was nothing new, -1 on failure (pxs_error). Refused snapshots,
 * rebuilds, hold-backs and stale hours are counted in st. */
int pxs_rrd_feed(const char *statsdir, const char *client, pxs_filetype ft,
                 const pxs_strlist *machines, int64_t end, int max_wait_hours,
                 pxs_feed_stats *st);

typedef struct pxs_transfer_opts {
    const char *statsdir;
    pxs_filetype ft;
    const pxs_strlist *clients;   /* names, "All" already expanded */
    const pxs_strlist *groups;    /* machine groups, each "m1,m2,..." */
    int64_t end;
    int max_wait_hours;           /* hold back an incomplete hour this long */
    int jobs;                     /* worker processes (1 = in this process) */
    bool wait_lock;               /* wait for another rrdTransfer instead of stopping */
    bool progress;                /* "\rclients done/total" on stderr (a terminal) */
} pxs_transfer_opts;

/* rrdTransfer's job: pxs_rrd_feed for every client and group, clients spread
 * over o->jobs worker processes, under the rrdTransfer lock of the stats tree.
 * A failing client is reported (pxs_warnx) and the others go on; st sums all.
 * Returns 0 when all succeeded, 1 when some failed, a snapshot was refused or
 * hours could only be marked stale, -1 when nothing could be done (lock
 * held, pxs_error set). */
int pxs_rrd_transfer(const pxs_transfer_opts *o, pxs_feed_stats *st);

#endif
