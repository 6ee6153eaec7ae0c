/* merge — the same hour from several machines, and several hours into a span.
 *
 * Rows are merged, never statistics: a merged hour is exactly the hour that
 * collecting the union of the machines' log lines would have given (medians
 * included). Rows are ordered by time, ties in the order of the machines. */
#ifndef PXSTATS_MERGE_H
#define PXSTATS_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "collector.h"
#include "strlist.h"

/* Merges n hours of the same client, fileType and hour into dst (initialised
 * here, computed). dst->machine is machine (the group name); dst->sources the
 * union of the sources' machines. Returns 0, or -1 (pxs_error set) when the
 * hours do not match (client, fileType, start, interval). */
int pxs_merge_hours(const pxs_hour *const *src, size_t n, const char *machine, pxs_hour *dst);

/* A span of consecutive hours of one client on one machine group. */
typedef struct pxs_span {
    char *client;
    pxs_filetype ft;
    char *machine;       /* group name (concatenated machines) */
    int64_t start;       /* first hour */
    int nhours;
    pxs_hour **hours;    /* nhours entries; NULL where no machine had a snapshot */
    uint64_t unreadable; /* snapshots refused (corrupt...): warned about and skipped */
} pxs_span;

/* Reads the snapshot of each machine for the hour t and merges those read
 * (a single machine's hour is used as is; dst->machine is group). status
 * (may be NULL; one per machine) gets 1 read, 0 missing, -1 unreadable (a
 * snapshot refused: warned about with pxs_warnx naming the file, and
 * counted in *unreadable). Returns the hour (free with pxs_hour_free and
 * free), or NULL when none was read. */
pxs_hour *pxs_hour_load(const char *statsdir, const char *client, pxs_filetype ft,
                        const pxs_strlist *machines, const char *group, int64_t t, int *status,
                        uint64_t *unreadable);

/* Loads [start, end) (both rounded down to the hour) of client for the
 * machines: for each hour the snapshots of the machines present are read and
 * merged (a single machine is used as is). A snapshot that cannot be read is
 * reported with pxs_warnx (naming the file) and treated as missing.
 * Returns 0, or -1 (pxs_error set) on a failure that is not a bad snapshot. */
int pxs_span_load(const char *statsdir, const char *client, pxs_filetype ft,
                  const pxs_strlist *machines, int64_t start, int64_t end, pxs_span *span);
void pxs_span_free(pxs_span *span);

#endif
