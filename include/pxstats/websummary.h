/* websummary — the daily page's summary of the last 24 hours.
 *
 * For each source (rx) and client (tx) of the page and each machine group of
 * names->groups whose snapshots hold it: the files, bytes, errors, the share
 * of files over the maximum latency and the 95th percentile of the latency
 * over [hour of now - 24 h, hour of now), computed as statsQuery --by total
 * computes them (query.h: exact, from the rows). Each name links to its row
 * of daily graphs further down the page. A name without a snapshot in the 24
 * hours says "no data", never zeros. */
#ifndef PXSTATS_WEBSUMMARY_H
#define PXSTATS_WEBSUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "web.h"

/* Writes the summary section (a heading and a table per file type). */
void pxs_web_summary(FILE *fp, const char *statsdir, int64_t now, const pxs_web_names *names);

#endif
