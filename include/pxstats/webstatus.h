/* webstatus — webPages/status.html: is every part of the chain running?
 *
 * One row per log machine (the machines of the groups), green when all is
 * well and red when not, with the time the page was computed:
 *   collected up to  the end of the machine's newest snapshot (tx or rx) and
 *                    the lag behind the current hour: red beyond one hour
 *                    (statsUpdater runs every hour), or when there is none;
 *   pickleSync       the last time its pickling machine ([graphics]
 *                    picklingMachines) was synchronised, from pickleSync's
 *                    run log: red when the last attempt failed or none
 *                    succeeded in two hours; "here" for a machine pickled on
 *                    this host;
 *   archive          the newest DATABASE-UPDATES time of the machine's group
 *                    and the clients whose snapshots are more than an hour
 *                    ahead of their feed: red when there are any;
 *   fed incomplete   the hours of the last 24 fed into the group's archive
 *                    while this machine's snapshot was missing (another
 *                    machine's was there; fedincomplete.h): red when there
 *                    are any.
 * Then the clients and sources whose last complete hour had errors, or (tx) a
 * 95th percentile of latency over the maximum latency, one red row each
 * (computed as statsQuery computes them); one green row when there is none. */
#ifndef PXSTATS_WEBSTATUS_H
#define PXSTATS_WEBSTATUS_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "strlist.h"

/* Writes the page for the machine groups ("m1,m2" items) at time now.
 * Returns 0, or -1 when fp failed. */
int pxs_webstatus_render(FILE *fp, const pxs_config *cfg, const pxs_strlist *groups, int64_t now);
/* Renders it into <statsdir>/webPages/status.html through atomicfile.
 * Returns 0 or -1 (pxs_error set). */
int pxs_webstatus_write(const pxs_config *cfg, const pxs_strlist *groups, int64_t now);

#endif
