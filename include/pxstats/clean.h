/* clean — pickleClean's job: delete the snapshot days and the graphs that
 * are too old (retention, issue 13 rule 6).
 *
 * Only directories named pickles/<client>/<YYYYMMDD> (a client directory
 * whose name is a valid name, a day directory whose name is exactly eight
 * digits forming a real date) are ever removed; any other file or directory,
 * and any symbolic link, is left alone. A removed day goes whole (its tx/rx
 * subtrees with it); links inside it are removed, never followed. */
#ifndef PXSTATS_CLEAN_H
#define PXSTATS_CLEAN_H

#include <stdbool.h>
#include <stdint.h>

#include "strlist.h"

/* The first day kept: midnight UTC of the day keep_days-1 days before the day
 * of now (keep_days = 1 keeps only today). */
int64_t pxs_clean_cutoff(int64_t now, int keep_days);

/* True when name is "YYYYMMDD" for a real date; *day gets its midnight. */
bool pxs_clean_day_name(const char *name, int64_t *day);

/* Removes every pickles/<client>/<YYYYMMDD> of statsdir whose day is before
 * pxs_clean_cutoff(now, keep_days) (nothing at all with dry_run). The paths
 * removed (or, with dry_run, that would be) are appended to removed, in
 * client then day order. A missing pickles directory is nothing to do.
 * Returns 0; 1 when some day could not be removed (each warned about with
 * pxs_warnx, the others still removed); -1 when the pickles directory cannot
 * be read (pxs_error set). */
int pxs_clean_pickles(const char *statsdir, int64_t now, int keep_days, bool dry_run,
                      pxs_strlist *removed);

/* Removes the graphs of graphs/<tx|rx>/<client>/ and of their rrdgraphs/
 * (regular files named *.png, links and anything else left alone, no link
 * followed) last modified before pxs_clean_cutoff(now, keep_days): graphGen
 * draws one per client every hour, and the pages keep their own copies under
 * webGraphics/. The paths removed (or, with dry_run, that would be) are
 * appended to removed. Returns 0; 1 when a file could not be removed (warned
 * about, the others still removed); -1 when graphs/ cannot be read. */
int pxs_clean_graphs(const char *statsdir, int64_t now, int keep_days, bool dry_run,
                     pxs_strlist *removed);

#endif
