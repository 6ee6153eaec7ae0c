/* layout — where things live under the stats root (DESIGN.md §4).
 * Every function returns a fresh string; names must have been validated. */
#ifndef PXSTATS_LAYOUT_H
#define PXSTATS_LAYOUT_H

#include <stdint.h>

#include "names.h"
#include "strlist.h"

/* <stats>/pickles/<client>/<YYYYMMDD>/<ft>/<machine>_<HH> for the hour of t. */
char *pxs_pickle_path(const char *statsdir, const char *client, int64_t t, pxs_filetype ft,
                      const char *machine);
/* <stats>/pickles/<client>/<YYYYMMDD> for the day of t. */
char *pxs_pickle_day_dir(const char *statsdir, const char *client, int64_t t);
/* <stats>/pickles, the snapshot tree. */
char *pxs_pickles_dir(const char *statsdir);
/* <stats>/pickles/<client>: the days of a client. */
char *pxs_pickle_client_dir(const char *statsdir, const char *client);
/* <stats>/pickles/<client>/<YYYYMMDD>/<ft>: the snapshots of a day. */
char *pxs_pickle_ft_dir(const char *statsdir, const char *client, int64_t t, pxs_filetype ft);
/* <stats>/<name>: PICKLED-TIMES, PICKLED_FILE_POSITIONS, FILE_VERSIONS, ... */
char *pxs_stats_file(const char *statsdir, const char *name);
/* The name of a merged group: the machines concatenated ("pds5pds6"). */
char *pxs_group_name(const pxs_strlist *machines);

#endif
