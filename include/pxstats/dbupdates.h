/* dbupdates — the feed state of each client and machine group: how far its
 * RRD databases were fed, and from which snapshot versions.
 *
 * DATABASE-UPDATES/<tx|rx>/<client>_<group> (layout.h) is small text an
 * operator can read:
 *
 *     2026-11-30 12:00:00
 *     # hours fed, from the snapshots below (see dbupdates.h)
 *     created 2026-11-20 00:00:00
 *     machines pds5 pds6
 *     hour 2026-11-30 10:00:00 ok 1764496815.123456789,2345,0a1b2c3d 1764496830.000000000,1911,77aa0130
 *     hour 2026-11-30 11:00:00 incomplete 1764500415.123456789,2301,1b2c3d4e -
 *
 * The first line is the end (exclusive) of the feed: every minute before it
 * is in the databases (an epoch number, as the original wrote, is accepted
 * on reading). "created" is the first hour of the databases. "machines"
 * names the group's machines, in order. Each "hour" line records one fed
 * hour still covered by kept snapshots: its status, then per machine the
 * version of its snapshot as it was fed — "-" absent, "<mtime>,<size>,<crc>"
 * read (mtime in seconds.nanoseconds, crc the snapshot's own checksum in hex),
 * "!<mtime>,<size>" present but unreadable (refused). The status is "ok"
 * (every machine expected had its snapshot read), "incomplete" (fed without
 * an expected snapshot, after waiting maxWaitHours for it), or "stale" (its
 * snapshots changed after it was fed and no state older than the change
 * could be restored: the databases keep the older values). rrdTransfer
 * compares these versions with the snapshots on disk at every run to find
 * what changed (the FILE_VERSIONS idea, rrdTransfer(1)).
 *
 * The file is written whole through atomicfile: it is the commit point of
 * every feed (feedjournal.h). */
#ifndef PXSTATS_DBUPDATES_H
#define PXSTATS_DBUPDATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "strlist.h"

enum { PXS_FED_OK, PXS_FED_INCOMPLETE, PXS_FED_STALE };
enum { PXS_SRC_ABSENT, PXS_SRC_READ, PXS_SRC_UNREADABLE };

/* One version of one machine's snapshot of an hour. */
typedef struct pxs_src_version {
    int state;            /* PXS_SRC_* */
    int64_t mtime_sec;
    long mtime_nsec;
    uint64_t size;
    uint32_t crc;         /* PXS_SRC_READ only */
} pxs_src_version;

/* One fed hour. */
typedef struct pxs_fed_hour {
    int64_t hour;
    int status;           /* PXS_FED_* */
    pxs_src_version *src; /* one per machine of the state, in its order */
} pxs_fed_hour;

typedef struct pxs_feedstate {
    int64_t fed;          /* end (exclusive) of the feed */
    int64_t created;      /* first hour of the databases; -1 when unknown */
    pxs_strlist machines; /* the group's machines (empty: unknown, old file) */
    pxs_fed_hour *h;      /* in time order, each hour once */
    size_t n, cap;
} pxs_feedstate;

/* <stats>/DATABASE-UPDATES/<ft>/<client>_<machine> (fresh string). */
char *pxs_dbupdates_path(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *machine);

void pxs_feedstate_init(pxs_feedstate *s);
void pxs_feedstate_free(pxs_feedstate *s);
/* Loads a state file. Returns 1 (loaded), 0 when it does not exist, -1 when
 * it cannot be read or does not parse (pxs_error "<file>:<line>: why"). */
int pxs_feedstate_load(const char *path, pxs_feedstate *s);
/* The text of a state (fresh string, *len its length). */
char *pxs_feedstate_text(const pxs_feedstate *s, size_t *len);
/* Writes the state through atomicfile. Returns 0 or -1 (pxs_error set). */
int pxs_feedstate_save(const char *path, const pxs_feedstate *s);
/* Appends an hour (after the last one) with a copy of the n = machines.n
 * versions of src; returns it. */
pxs_fed_hour *pxs_feedstate_add(pxs_feedstate *s, int64_t hour, int status,
                                const pxs_src_version *src);
/* The recorded hour, or NULL. */
pxs_fed_hour *pxs_feedstate_find(const pxs_feedstate *s, int64_t hour);
/* Drops the hours before t. */
void pxs_feedstate_drop_before(pxs_feedstate *s, int64_t t);
/* Drops the hours at or after t. */
void pxs_feedstate_drop_from(pxs_feedstate *s, int64_t t);

/* Reads the time of (ft, client, machine). Returns 1 and sets *t when the file
 * exists, 0 when it does not, -1 when it cannot be read or does not parse
 * (pxs_error names the file). */
int pxs_dbupdates_get(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t *t);

/* Sets the time of (ft, client, machine) to t, keeping the rest of the state
 * (created as t when there was none, or when it did not parse). Returns 0 or
 * -1 (pxs_error set). */
int pxs_dbupdates_set(const char *statsdir, pxs_filetype ft, const char *client,
                      const char *machine, int64_t t);

/* Appends to names every entry of DATABASE-UPDATES/<ft>/ (journals and
 * temporaries included), sorted. A missing directory adds nothing. Returns 0
 * or -1 (pxs_error set). */
int pxs_dbupdates_list(const char *statsdir, pxs_filetype ft, pxs_strlist *names);

/* Appends to out (sorted, unique) the clients that have a DATABASE-UPDATES file
 * for ft and the machine group machine, i.e. files named "<client>_<machine>".
 * A missing directory adds nothing. Returns 0 or -1 (pxs_error set). */
int pxs_dbupdates_clients(const char *statsdir, pxs_filetype ft, const char *machine,
                          pxs_strlist *out);

/* The hours whose archive values are not what the snapshots now say, for
 * statsMonitor and any status page: one entry per run of consecutive hours
 * of one (ft, client, group) with the same status and the same machines
 * missing. */
typedef struct pxs_feed_problem {
    pxs_filetype ft;
    char *client, *group;   /* group: the concatenated name of the file */
    int status;             /* PXS_FED_INCOMPLETE or PXS_FED_STALE */
    int64_t first, last;    /* first and last hour (start times) */
    char *missing;          /* incomplete: the machines whose snapshot was
                               absent or unreadable, comma separated */
} pxs_feed_problem;

typedef struct pxs_feed_problems {
    pxs_feed_problem *v;
    size_t n, cap;
} pxs_feed_problems;

/* Reads every DATABASE-UPDATES/<tx|rx>/ file of statsdir and lists its
 * incomplete and stale hours (sorted by file type, client, group, hour). A
 * state that cannot be read is reported with pxs_warnx and skipped. Returns
 * 0, or -1 when a directory cannot be read (pxs_error set). */
int pxs_feed_problems_list(const char *statsdir, pxs_feed_problems *out);
void pxs_feed_problems_free(pxs_feed_problems *p);
/* "incomplete" or "stale". */
const char *pxs_fed_status_name(int status);

#endif
