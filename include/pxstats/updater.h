/* updater — statsUpdater's job: collect every complete hour of each client
 * since its last update, in one pass over its logs, one snapshot per hour,
 * then advance its state (DESIGN.md §4; the rules at the edges are in
 * logstream.h and statsUpdater(1)).
 *
 * Order of durability: snapshots first (atomic, fsynced), then PICKLED-TIMES,
 * then PICKLED_FILE_POSITIONS; a run killed at any instant and run again gives
 * the same snapshots as one clean run. Each client is collected on its own:
 * one that fails (a log that cannot be read, a snapshot that cannot be
 * written) keeps its state and publishes nothing, and the others go on. The
 * state is read and written under the statsUpdater lock of the stats tree. */
#ifndef PXSTATS_UPDATER_H
#define PXSTATS_UPDATER_H

#include <stdbool.h>
#include <stdint.h>

#include "collector.h"
#include "config.h"
#include "strlist.h"

typedef struct pxs_update_opts {
    const pxs_config *cfg;
    const char *machine;     /* name in snapshot file names */
    const char *logdir;      /* the machine's log directory (pxs_machine_logdir) */
    pxs_filetype ft;
    unsigned types;          /* PXS_T_* */
    int interval_min;        /* bucket width in minutes, divides 60 */
    int64_t date;            /* collect complete hours up to the hour of date */
    bool now;                /* also write the current partial hour [hour(date), date) */
    bool wait_lock;          /* wait for another run instead of stopping */
    bool progress;           /* show progress on stderr */
    bool listed_all;         /* the clients are "All": one without any log file is
                                skipped quietly (configured in PX, not active here),
                                instead of being an error */
    bool force_date;         /* a last update after the system clock is no error */
    const pxs_strlist *skip_damaged; /* log files (paths) whose unreadable part is given up */
    int jobs;                /* clients collected at once by worker processes (<= 1: one,
                                in this process); the snapshots and state are the same */
} pxs_update_opts;

/* Updates every client of the list. A failing client is reported (pxs_warnx,
 * one line naming the file and the cause, then one saying its state is kept)
 * and the others go on. Returns 0 when all succeeded, 1 when a client failed,
 * -1 when nothing could be done (lock, state file: pxs_error set). */
int pxs_update_clients(const pxs_update_opts *o, const pxs_strlist *clients);

/* Collects [start, end) of one client straight from its logs (whole files,
 * no positions, no state, no snapshot written): the partial hour of graphGen
 * -n. *hours gets one computed hour per hour of the window (nhours). */
int pxs_collect_window(const pxs_update_opts *o, const char *client, int64_t start, int64_t end,
                       pxs_hour **hours, int *nhours);

#endif
