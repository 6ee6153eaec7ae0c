/* webimages — the image tree behind the pages (DESIGN.md §4, layout.h).
 *
 *   webGraphics/columbo/<ft>/<client>.png          the latest 24 h graph (graphGen -l)
 *   webGraphics/daily/<ft>/<client>/<Mon..Sun>.png  copied from it every hour
 *   webGraphics/<weekly|monthly|yearly>/<ft>/<type>/<client>/<%W|%b|%Y>.png
 *                                                   drawn by rrdGraph -l
 *
 * Every image carries the span it was drawn for (pngspan.h), and the pages
 * show an image under a date only when it was drawn for that date. The day
 * of a run is that of its reference time (pxs_web_ref_time: the last second
 * of the last complete hour); a 24 h image is copied under that day's name
 * only when its graph ends within that day, so a day whose graph was not
 * drawn stays missing instead of showing last week's image.
 *
 * A week, month or year image is the whole calendar period (Monday 00:00 to
 * Monday 00:00, the 1st to the 1st, January 1st to January 1st, UTC; rrdGraph
 * -l), drawn up to what the archive holds; its last drawing, at the hour that
 * ends the period (or during the next day, see pxs_webimages_periods), is its
 * frozen image and covers [start, end) exactly. */
#ifndef PXSTATS_WEBIMAGES_H
#define PXSTATS_WEBIMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "strlist.h"

/* Spans redrawn by rrdGraph in a run (bit mask). */
enum { PXS_IMG_WEEK = 1, PXS_IMG_MONTH = 2, PXS_IMG_YEAR = 4, PXS_IMG_ALL = 7 };

/* Copies every webGraphics/columbo/<ft>/<client>.png whose graph ends
 * within the day of the reference time to
 * webGraphics/daily/<ft>/<client>/<%a of that day>.png (atomically). A
 * failing copy is reported (pxs_warnx) and the others go on. *copied gets
 * the number of images copied. Returns 0, or 1 when a copy failed. */
int pxs_webimages_daily(const char *statsdir, int64_t now, int *copied);

/* Which spans to redraw at time now: all three at a day boundary (00:00,
 * which is also every week, month and year boundary) or when refresh is set;
 * the week every other hour (as the original); and any span whose last
 * drawing did not complete (no webGraphics/<period>/.drawn stamp: a new
 * installation, or a run that failed or was killed while drawing it). */
unsigned pxs_webimages_plan(const char *statsdir, int64_t now, bool refresh);

/* The machine groups whose databases are drawn: [databases] machineNames,
 * else [graphics] logFilesMachines (pxs_groups_parse), else this host's
 * name. Fills out with "m1,m2" items. Returns 0, or -1 when the list is
 * refused (pxs_error names the key; webPages exits 2). */
int pxs_webimages_groups(const pxs_config *cfg, pxs_strlist *out);

typedef struct pxs_webimages_opts {
    const pxs_config *cfg;
    const char *statsdir;
    int64_t now;
    unsigned spans;          /* PXS_IMG_* to draw (see pxs_webimages_plan) */
    const char *rrdgraph;    /* the rrdGraph program (path, or a name for PATH) */
    const char *root;        /* passed on as --root when not NULL */
    const char *config;      /* passed on as --config when not NULL */
    bool dry_run;            /* print the command lines instead of running them */
} pxs_webimages_opts;

/* Runs "rrdGraph -f <ft> --machines <group> -c All <-w|-m|-y> -l --date <hour>"
 * for each span, group and fileType whose databases have been fed
 * (DATABASE-UPDATES/<ft>/<client>_<m1m2> exists), through spawn.h; during
 * the first day of a period, also with --date at its start, to draw the
 * finished period again. A failing run is reported and the others go on.
 * Returns 0, or 1 when a run failed; -1 (pxs_error set) when there is no
 * machine group at all or the list is refused. */
int pxs_webimages_periods(const pxs_webimages_opts *o);

#endif
