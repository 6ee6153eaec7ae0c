/* revert — setLastUpdate's job: set the last-update time of clients back (or
 * forward) so that the next statsUpdater collects again from that time: the
 * seed's revert mechanism.
 *
 * The positions of the clients' log files are dropped with the new time:
 * statsUpdater then reads their logs from the start, skipping the lines
 * before the last-update time, so nothing is lost and nothing counted twice. */
#ifndef PXSTATS_REVERT_H
#define PXSTATS_REVERT_H

#include <stdint.h>

#include "strlist.h"

/* File-type selection of pxs_revert (bit mask). */
enum { PXS_REVERT_TX = 1, PXS_REVERT_RX = 2 };

/* Under the statsUpdater lock of statsdir (waiting for a running update),
 * sets the PICKLED-TIMES entry of each client of machine to time rounded down
 * to the hour (collection works in whole hours) and drops its positions in
 * PICKLED_FILE_POSITIONS.
 *   clients "All" (alone): every client already recorded for machine and a
 *     selected file type;
 *   named clients: set for the selected types it is recorded under or has
 *     log files for in logdir (tx_<name>.log*, rx_<name>.log*); a name with
 *     neither is an error (nothing is set): a typo is never recorded. Only
 *     when logdir is NULL and one type is selected is a name created without
 *     a look at the logs.
 * The positions are saved before the times: a crash between the two leaves
 * positions dropped under the old times, which statsUpdater reads as a full
 * re-read skipping what was collected, never as a gap.
 * changed gets one "<machine> <ft>_<client>" per entry set. Returns 0, or -1
 * with pxs_error set (lock, unreadable or unwritable state, "All" matching
 * nothing, a name of no file type). */
int pxs_revert(const char *statsdir, const char *logdir, const char *machine, unsigned ft_mask,
               const pxs_strlist *clients, int64_t time, pxs_strlist *changed);

#endif
