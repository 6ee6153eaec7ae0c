/* layout — where things live under the stats root (DESIGN.md §4).
 *
 * Every path of the stats tree is built here, so that the tree is described
 * in one place. The file type (tx or rx) is a directory level of everything
 * made per client or source, so that a tx client and an rx source of the
 * same name never share a file:
 *
 *   pickles/<client>/<YYYYMMDD>/<ft>/<machine>_<HH>
 *   DATABASE-UPDATES/<ft>/<client>_<group>            (and .<client>_<group>.journal)
 *   databases/<ft>/<type>/<client>_<group>
 *   databases_backups/<YYYY-MM-DD_HH:MM:SS>/{databases,DATABASE-UPDATES}/...
 *   graphs/<ft>/<client>/<graph>.png                  (graphGen)
 *   graphs/<ft>/<client>/rrdgraphs/<graph>.png        (rrdGraph)
 *   webGraphics/columbo/<ft>/<client>.png
 *   webGraphics/daily/<ft>/<client>/<Mon..Sun>.png
 *   webGraphics/<weekly|monthly|yearly>/<ft>/<type>/<client>/<%W|%b|%Y>.png
 *
 * Every function returns a fresh string; names must have been validated.
 * A statsdir argument may also be the root of a backup (its tree mirrors
 * the stats tree). */
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
/* <stats>/<name>: PICKLED-TIMES, PICKLED_FILE_POSITIONS, FILE_VERSIONS, or
 * any path relative to the stats root. */
char *pxs_stats_file(const char *statsdir, const char *name);
/* The name of a merged group: the machines concatenated ("pds5pds6"). */
char *pxs_group_name(const pxs_strlist *machines);

/* <stats>/databases/<ft>/<type>/<client>_<group>: one RRD database. */
char *pxs_db_path(const char *statsdir, pxs_filetype ft, const char *type, const char *client,
                  const char *group);
/* <stats>/databases/<ft>/<type>: the databases of one type. */
char *pxs_db_type_dir(const char *statsdir, pxs_filetype ft, const char *type);
/* <stats>/DATABASE-UPDATES/<ft>: the feed states of one file type. */
char *pxs_dbupdates_dir(const char *statsdir, pxs_filetype ft);
/* <stats>/DATABASE-UPDATES/<ft>/<client>_<group>: the feed state of a client
 * (or source) on a machine group. */
char *pxs_dbupdates_file(const char *statsdir, pxs_filetype ft, const char *client,
                         const char *group);
/* <stats>/DATABASE-UPDATES/<ft>/.<client>_<group>.journal: the undo journal
 * of a feed in progress (a dot file: backups do not copy it). */
char *pxs_feed_journal_path(const char *statsdir, pxs_filetype ft, const char *client,
                            const char *group);
/* <stats>/databases_backups, and <stats>/databases_backups/<dirname>. */
char *pxs_backups_dir(const char *statsdir);
char *pxs_backup_dir(const char *statsdir, const char *dirname);

/* <stats>/graphs/<ft>/<client>/<file>: a gnuplot graph. */
char *pxs_graph_file(const char *statsdir, pxs_filetype ft, const char *client, const char *file);
/* <stats>/graphs/<ft>/<client>/rrdgraphs/<file>: an rrd graph. */
char *pxs_rrdgraph_file(const char *statsdir, pxs_filetype ft, const char *client,
                        const char *file);

/* Paths of the image tree of the pages, relative to the stats root (the
 * pages link them as "../<rel>"):
 *   type NULL:  webGraphics/<period>/<ft>/<client>/<label>.png   (daily)
 *   else:       webGraphics/<period>/<ft>/<type>/<client>/<label>.png */
char *pxs_webimage_rel(const char *period, pxs_filetype ft, const char *type,
                       const char *client, const char *label);
/* webGraphics/columbo/<ft>/<client>.png, relative to the stats root. */
char *pxs_columbo_rel(pxs_filetype ft, const char *client);
/* <stats>/webGraphics/columbo/<ft>: the up-to-date 24 h images. */
char *pxs_columbo_dir(const char *statsdir, pxs_filetype ft);
/* <stats>/webGraphics/<sub> (sub: "daily", "weekly", ...). */
char *pxs_webgraphics_dir(const char *statsdir, const char *sub);

#endif
