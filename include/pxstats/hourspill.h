/* hourspill — a client-hour too big for memory, coded as its rows come.
 *
 * statsUpdater keeps the rows of an hour in memory (pxs_hour) until its
 * snapshot is written: about 165 bytes a row, 165 MB for an hour of a million
 * lines. Past a threshold the stream moves the hour's rows here, in batches:
 * each row is coded at once into the snapshot's columns (snapenc.h), whose
 * bytes go in chunks to an unlinked temporary file of the stats tree, and
 * each product name is interned by its hash, the name itself being checked
 * against a second temporary file on a hit, so that two names are never
 * taken for one whatever their hashes. What stays in memory: 13 to 16 bytes per
 * distinct product name, and a few column buffers.
 *
 * The rows keep the order they came in (a pxs_hour sorts them by time before
 * its snapshot is written); a reader sorts them on load, so every statistic
 * and every product filter is the same, and for rows that came in time order
 * the snapshot is the one pxs_snapshot_encode writes, byte for byte.
 *
 * The temporary files are made with O_TMPFILE: they never have a name, and
 * nothing is left of them whatever stops the process (kill -9 included).
 * Where the filesystem lacks O_TMPFILE, mkstemp makes them and they are
 * unlinked at once (a ".unnamed.XXXXXX" left by a kill between the two is
 * a stale temporary that the next writer of the directory removes). */
#ifndef PXSTATS_HOURSPILL_H
#define PXSTATS_HOURSPILL_H

#include <stdint.h>
#include <stdio.h>

#include "collector.h"

typedef struct pxs_hourspill pxs_hourspill;

/* The rows past which statsUpdater spills an hour: 16 Ki rows keep about
 * 2.7 MB in memory; spilling costs no more CPU than keeping them
 * (bench/README.md). */
#define PXS_HOURSPILL_ROWS 16384

/* Starts a spill for the hour starting at hour_start, its temporary files in
 * dir. Returns NULL with pxs_error() set (naming dir and the cause). */
pxs_hourspill *pxs_hourspill_open(const char *dir, int64_t hour_start);
/* Moves the rows of h, in their order, into sp: h keeps its identity, files
 * and counts, and is left without rows or products. A write error is kept
 * and reported by pxs_hourspill_write (h's rows are gone either way: the
 * caller must then fail the hour). */
void pxs_hourspill_take(pxs_hourspill *sp, pxs_hour *h);
/* Rows taken so far. */
uint64_t pxs_hourspill_rows(const pxs_hourspill *sp);
/* Writes, from the current position of fp (a new file), the snapshot of h's
 * identity (h has no rows left: take them first) and of sp's rows. Returns
 * 0, or -1 with pxs_error() set. sp is spent either way. */
int pxs_hourspill_write(pxs_hourspill *sp, const pxs_hour *h, FILE *fp);
/* Frees sp and closes its files (NULL is accepted). */
void pxs_hourspill_free(pxs_hourspill *sp);

#endif
