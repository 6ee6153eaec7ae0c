/* web — the static pages of the stats tree (DESIGN.md §4, §6).
 *
 * <stats>/webPages/{index,dailyGraphs,weeklyGraphs,monthlyGraphs,yearlyGraphs}.html:
 * RX sources, then TX clients, one row per name, with links to the images of
 * the last 7 days, 5 weeks, 3 months or 3 years under <stats>/webGraphics
 * (layout.h: the file type is a directory level, so a tx client and an rx
 * source of one name have rows of their own). Links are relative
 * ("../webGraphics/..."), so the tree works from any web server or opened
 * from disk. An image is shown under a date only when it was drawn for that
 * date (its pngspan.h stamp: a day's image ends within that day, a week's,
 * month's or year's covers exactly that period); any other image under that
 * name, or none, is shown as missing (a grey label, no link). Names are
 * HTML-escaped (and percent-encoded in URLs) whatever characters they hold. */
#ifndef PXSTATS_WEB_H
#define PXSTATS_WEB_H

#include <stdint.h>
#include <stdio.h>

#include "strlist.h"

typedef enum pxs_period { PXS_DAILY, PXS_WEEKLY, PXS_MONTHLY, PXS_YEARLY, PXS_NPERIODS } pxs_period;

/* "daily", "weekly", "monthly", "yearly". */
const char *pxs_period_name(pxs_period p);
/* The page file name: "dailyGraphs.html", ... */
const char *pxs_period_page(pxs_period p);
/* How many periods a page shows: 7 days, 5 weeks, 3 months, 3 years. */
int pxs_period_count(pxs_period p);

/* The instant whose day, week, month and year are "current" at time now:
 * the last second of the last complete hour. At 00:30 the current day is
 * therefore yesterday, whose 24 h graph (ending at 00:00) is the latest. */
int64_t pxs_web_ref_time(int64_t now);
/* A time inside the k-th period before the current one (k = 0: current). */
int64_t pxs_period_back(pxs_period p, int64_t ref, int k);
/* The period of p holding t, [*start, *end) in UTC: the day; the week from
 * Monday 00:00; the month from the 1st; the year from January 1st. */
void pxs_period_bounds(pxs_period p, int64_t t, int64_t *start, int64_t *end);
/* The image label of the period holding t: %a (Mon..Sun), %W, %b or %Y of
 * its start (a week is named by its Monday, even across New Year). */
char *pxs_period_label(pxs_period p, int64_t t, char *buf, size_t size);

/* The data types shown for a fileType, in column order: rx bytecount,
 * filecount, errors; tx latency, filesOverMaxLatency, then the same three.
 * Returns the count and sets *types / *titles (static arrays). */
int pxs_web_types(int tx, const char *const **types, const char *const **titles);

/* Text made safe anywhere in a page, element or quoted attribute: & < > " '
 * become entities, control characters other than tab, newline and carriage
 * return become '?'. The one HTML escaper (pages and the monitor's mail).
 * Fresh string. */
char *pxs_html_escape(const char *s);
/* Percent-encodes every byte but letters, digits and "-._~" (fresh string),
 * so that a name is one safe URL path segment. */
char *pxs_url_segment(const char *s);

/* The names shown on the pages, and the machine groups whose snapshots the
 * daily page's summary reads (pxs_webimages_groups; none: no summary). */
typedef struct pxs_web_names {
    pxs_strlist rx, tx;   /* sorted, unique */
    pxs_strlist groups;   /* "m1,m2" items */
} pxs_web_names;

void pxs_web_names_init(pxs_web_names *n);
void pxs_web_names_free(pxs_web_names *n);
/* Collects the names from the snapshot tree (a client is tx or rx, or both,
 * by the <ft> folders of its snapshot days) and from the <ft> levels of the
 * webGraphics tree. Invalid names found on disk are skipped with a warning.
 * Returns 0 or -1. */
int pxs_web_names_load(const char *statsdir, pxs_web_names *n);

/* The start of every page: doctype, head with the common style, the
 * navigation (the index, the four pages, status.html) and the heading
 * "PX graphics: <title>" (title NULL: the index), with the time of the run. */
void pxs_web_head(FILE *fp, const char *title, int64_t now);

/* The anchor of a name's row on the daily page ("tx-amis"; fresh string). */
char *pxs_web_row_id(int tx, const char *name);

/* Writes the page of period p as it should look at time now; the existence
 * of each image is checked under statsdir. The daily page starts with the
 * summary of the last 24 hours (websummary.h). Returns 0, or -1 when fp
 * failed. */
int pxs_web_render(FILE *fp, const char *statsdir, pxs_period p, int64_t now,
                   const pxs_web_names *names);
/* Writes index.html: links to the four pages and the counts of names. */
int pxs_web_render_index(FILE *fp, int64_t now, const pxs_web_names *names);

/* Renders a page (or the index when p == PXS_NPERIODS) into
 * <statsdir>/webPages/<file> through atomicfile. Returns 0 or -1. */
int pxs_web_write(const char *statsdir, pxs_period p, int64_t now, const pxs_web_names *names);
/* <statsdir>/webPages/<page> written through atomicfile by render(fp, arg),
 * which returns 0 or -1 (then nothing replaces the old page). Returns 0, or
 * -1 with pxs_error() naming the page and the cause. */
int pxs_web_write_page(const char *statsdir, const char *page, int (*render)(FILE *, void *),
                       void *arg);

#endif
