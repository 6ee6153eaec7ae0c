/* rrdbackup — backups of the RRD archive and its DATABASE-UPDATES state.
 *
 * A backup is databases_backups/<YYYY-MM-DD_HH:MM:SS>/ holding copies of
 * databases/ and DATABASE-UPDATES/. It is built under a temporary name and
 * renamed into place, so a listed backup is always complete; the newest
 * PXS_BACKUPS_KEPT are kept. Backups and restores take the rrdTransfer lock of
 * the stats tree, so that no feed changes the archive while it is copied,
 * and first undo what a killed feed left half-done (feedjournal.h).
 * rrdTransfer rebuilds a database set from the newest backup older than a
 * snapshot that changed after its hour was fed (rrdTransfer(1)). */
#ifndef PXSTATS_RRDBACKUP_H
#define PXSTATS_RRDBACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "strlist.h"

#define PXS_BACKUPS_KEPT 20

/* Backs up the archive as of time t (its name; a later free second is taken
 * when that name exists), then removes the oldest backups beyond
 * PXS_BACKUPS_KEPT. *name (may be NULL) gets the backup's "YYYY-MM-DD HH:MM:SS".
 * wait: wait for a running rrdTransfer instead of failing. Returns 0 or -1
 * (pxs_error set). */
int pxs_rrd_backup(const char *statsdir, int64_t t, bool wait, char **name);

/* The backups, oldest first, as "YYYY-MM-DD HH:MM:SS". Returns 0 or -1. */
int pxs_rrd_backups_list(const char *statsdir, pxs_strlist *out);
/* The directory of the backup named "YYYY-MM-DD HH:MM:SS" (a tree mirroring
 * the stats tree: layout.h functions take it as their statsdir); NULL when
 * name is no backup name. Fresh string. */
char *pxs_rrd_backup_path(const char *statsdir, const char *name);

/* Restores the backup named date ("YYYY-MM-DD HH:MM:SS" or its directory name
 * "YYYY-MM-DD_HH:MM:SS"): first backs up the current state (as of time now;
 * *saved gets its name, may be NULL), then replaces every file of databases/
 * and DATABASE-UPDATES/ atomically by the backup's copy and removes those the
 * backup does not have. Returns 0 or -1 (pxs_error set). */
int pxs_rrd_restore(const char *statsdir, const char *date, int64_t now, bool wait,
                    char **saved);

#endif
