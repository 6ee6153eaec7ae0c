/* webimages — the image tree behind the pages (DESIGN.md §4).
 *
 *   webGraphics/columbo/<client>.png          the latest 24 h graph (graphGen -l)
 *   webGraphics/daily/<client>/<Mon..Sun>.png  copied from it every hour
 *   webGraphics/<weekly|monthly|yearly>/<type>/<client>/<%W|%b|%Y>.png
 *                                              drawn by rrdGraph -l
 *
 * Every image belongs to the period holding the reference time of the run
 * (pxs_web_ref_time: the last second of the last complete hour). A period's
 * image is therefore redrawn one last time at the hour that ends the period
 * (00:00 of a Monday, of the 1st, of January 1st), then never again: that
 * last drawing is the frozen image of the finished period, and the next
 * hour's drawing starts the new one. rrdGraph names an image after the end
 * of its span, so that last drawing ends one hour before the boundary (the
 * frozen image lacks the period's last hour); every other drawing ends at
 * the hour of the run. */
#ifndef PXSTATS_WEBIMAGES_H
#define PXSTATS_WEBIMAGES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "strlist.h"

/* Spans redrawn by rrdGraph in a run (bit mask). */
enum { PXS_IMG_WEEK = 1, PXS_IMG_MONTH = 2, PXS_IMG_YEAR = 4, PXS_IMG_ALL = 7 };

/* Copies every webGraphics/columbo/<client>.png to
 * webGraphics/daily/<client>/<%a of the reference time>.png (atomically).
 * A failing copy is reported (pxs_warnx) and the others go on. *copied gets
 * the number of images copied. Returns 0, or 1 when a copy failed. */
int pxs_webimages_daily(const char *statsdir, int64_t now, int *copied);

/* Which spans to redraw at time now: all three at a day boundary (00:00,
 * which is also every week, month and year boundary) or when refresh is set;
 * the week every other hour (as the original); and any span whose last
 * drawing did not complete (no webGraphics/<period>/.drawn stamp: a new
 * installation, or a run that failed or was killed while drawing it). */
unsigned pxs_webimages_plan(const char *statsdir, int64_t now, bool refresh);

/* The machine groups whose databases are drawn: [databases] machineNames,
 * else [graphics] logFilesMachines (';' separates groups, ',' joins the
 * machines of a group, spaces ignored), else this host's name. Fills out
 * with "m1,m2" items. */
void pxs_webimages_groups(const pxs_config *cfg, pxs_strlist *out);

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

/* Runs "rrdGraph -f <ft> --machines <group> -c All <-w|-m|-y> -l --date <end>"
 * for each span, group and fileType whose databases have been fed
 * (DATABASE-UPDATES/<ft>/<client>_<m1m2> exists), through spawn.h. A failing
 * run is reported and the others go on. Returns 0, or 1 when a run failed;
 * -1 (pxs_error set) when there is no machine group at all. */
int pxs_webimages_periods(const pxs_webimages_opts *o);

#endif
