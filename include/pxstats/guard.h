/* guard — a name given on the command line must have something in the tree.
 *
 * A client, source or machine with nothing in the stats tree is almost always
 * a typo; running on it would print "nothing new", draw an empty graph or
 * build a snapshot named after a machine that does not exist, and exit 0.
 * Each check looks where its tool reads (logs, snapshots, archive) and, when
 * a name has nothing there, fails with a message naming the names and the
 * place looked at. Nothing is created. The tools die with status 1 on it.
 * (The stats tree itself is guarded by pxs_cli_config.) */
#ifndef PXSTATS_GUARD_H
#define PXSTATS_GUARD_H

#include "config.h"
#include "names.h"
#include "strlist.h"

/* True when a names list stands for every name ("All" alone, or empty). */
bool pxs_guard_is_all(const pxs_strlist *names);

/* Every named client has a snapshot folder of ft, and every machine has at
 * least one snapshot of ft among those clients (among every client of ft
 * when they are "All"), unless the config names it (a machine of
 * [graphics] logFilesMachines, [databases] machineNames or [monitoring]
 * machines is known, even while it has not delivered anything yet).
 * machines may be NULL. Returns 0, or -1 with pxs_error() =
 * "no tx snapshot of client 'x' under <stats>/pickles". */
int pxs_guard_snapshots(const pxs_config *cfg, pxs_filetype ft, const pxs_strlist *clients,
                        const pxs_strlist *machines);

/* Every named client has an archive of ft for the machine group (a database
 * of at least one type); with "All", the group has at least one client fed
 * (a DATABASE-UPDATES file).
 * Returns 0 or -1 (pxs_error set). */
int pxs_guard_archive(const char *statsdir, pxs_filetype ft, const pxs_strlist *clients,
                      const char *group);

/* Every named client has a log file of ft in logdir. Returns 0 or -1. */
int pxs_guard_logs(const char *logdir, pxs_filetype ft, const pxs_strlist *clients);

#endif
